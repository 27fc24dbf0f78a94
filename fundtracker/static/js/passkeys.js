// Passkeys (WebAuthn): signing in or confirming it's you with one ([data-passkey-signin]),
// and adding one on the two-factor page ([data-passkey-register]). The server hands out the
// options (JSON, binary fields in base64url) and checks the answer; this script only carries
// them between it and the browser. Progressive enhancement: both boxes are `hidden` in the page
// and shown here when the browser has WebAuthn.
(() => {
  const supported = () => !!(window.PublicKeyCredential && navigator.credentials);

  const toBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };

  const toText = (buffer) => {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  // The CSRF token of a form on the page (Flask-WTF takes it from this header too).
  const csrfToken = () => {
    const input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  };

  const post = async (url, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    return { ok: response.ok, data };
  };

  const descriptors = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

  const credentialJSON = (credential) => {
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) json.response.userHandle = toText(response.userHandle);
    }
    return json;
  };

  const say = (box, text) => {
    const status = box.querySelector("[data-passkey-status]");
    if (status) status.textContent = text || "";
  };

  // The server asks for a page (a sign-in that ended, "confirm it's you"): go there.
  const follow = (data) => {
    if (data && data.redirect) {
      window.location.assign(data.redirect);
      return true;
    }
    return false;
  };

  const signIn = async (box) => {
    say(box, "");
    const options = await post(box.dataset.optionsUrl);
    if (!options.ok) {
      if (!follow(options.data)) say(box, box.dataset.failed);
      return;
    }
    const publicKey = options.data;
    publicKey.challenge = toBytes(publicKey.challenge);
    publicKey.allowCredentials = descriptors(publicKey.allowCredentials);
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey });
    } catch (error) {
      say(box, box.dataset.failed);
      return;
    }
    const answer = await post(box.dataset.verifyUrl, {
      credential: credentialJSON(credential),
      next: box.dataset.next || "",
    });
    if (!follow(answer.data)) say(box, (answer.data && answer.data.error) || box.dataset.failed);
  };

  const register = async (form) => {
    const name = form.querySelector("input[name=name]");
    say(form, "");
    if (!name.value.trim()) {
      name.focus();
      say(form, form.dataset.nameMissing);
      return;
    }
    const options = await post(form.dataset.optionsUrl);
    if (!options.ok) {
      if (!follow(options.data)) say(form, form.dataset.failed);
      return;
    }
    const publicKey = options.data;
    publicKey.challenge = toBytes(publicKey.challenge);
    publicKey.user.id = toBytes(publicKey.user.id);
    publicKey.excludeCredentials = descriptors(publicKey.excludeCredentials);
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey });
    } catch (error) {
      say(form, form.dataset.failed);
      return;
    }
    const answer = await post(form.action, {
      name: name.value,
      credential: credentialJSON(credential),
    });
    if (!follow(answer.data)) say(form, form.dataset.failed);
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const box of document.querySelectorAll("[data-passkey-signin]")) {
      box.hidden = false;
      const button = box.querySelector("[data-passkey-button]");
      button.addEventListener("click", () => {
        if (!supported()) {
          say(box, box.dataset.unsupported);
          return;
        }
        button.disabled = true;
        signIn(box).finally(() => {
          button.disabled = false;
        });
      });
    }
    for (const form of document.querySelectorAll("[data-passkey-register]")) {
      form.hidden = false;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!supported()) {
          say(form, form.dataset.unsupported);
          return;
        }
        register(form);
      });
    }
  });
})();
