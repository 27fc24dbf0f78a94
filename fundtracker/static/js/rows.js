// "Add a row" and "Remove this row" for a form's repeated sections (templates/applications/
// _rows.html). Without this script the buttons stay hidden and saving the form gives blank rows
// for more, as it always did.
//
// A section ([data-rows]) holds its rows ([data-rows-list] > [data-row]), a blank row in a
// <template> whose names and ids carry a placeholder for the index, the "Add" button and a
// status line that screen readers read out (role=status). Adding copies the blank row with the
// next free index (never one a removed row had: the server reads the rows in the order of their
// indices, gaps allowed); removing takes the row out of the form, so it is not sent and the
// server, which keeps exactly the rows it gets, drops it.

(() => {
  // Attributes that name or point at a field: the placeholder is replaced in each.
  const LINKS = ["id", "name", "for", "aria-describedby", "aria-labelledby", "aria-controls"];
  const FIELDS = "input:not([type=hidden]), select, textarea";

  const fill = (pattern, values) =>
    pattern.replace(/%\((\w+)\)[sd]/g, (whole, key) => (key in values ? values[key] : whole));

  function rowsOf(section) {
    return Array.from(section.querySelector("[data-rows-list]").children).filter(
      (row) => row.matches("[data-row]"),
    );
  }

  function say(section, message) {
    const status = section.querySelector("[data-rows-status]");
    // A new text in the same node is read out; emptied first so the same words repeat too.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  // The row's text for its "Remove" button: what is typed in the fields the section names
  // (data-name-fields), or "empty row N".
  function rowName(section, row, number) {
    const suffixes = (section.dataset.nameFields || "").split(/\s+/).filter(Boolean);
    const parts = [];
    for (const suffix of suffixes) {
      for (const field of row.querySelectorAll(FIELDS)) {
        if (!field.name.endsWith(`-${suffix}`)) continue;
        const value = field.tagName === "SELECT"
          ? (field.selectedOptions[0] || {}).textContent || ""
          : field.value;
        if (value.trim()) parts.push(value.trim());
      }
    }
    return parts.length ? parts.join(", ") : fill(section.dataset.emptyName, { number });
  }

  function nameButtons(section) {
    rowsOf(section).forEach((row, position) => {
      const button = row.querySelector("[data-row-remove]");
      if (!button) return;
      const name = rowName(section, row, position + 1);
      button.setAttribute("aria-label", fill(section.dataset.removeNamed, { row: name }));
      button.hidden = false;
    });
  }

  function markFull(section) {
    const add = section.querySelector("[data-row-add]");
    const full = rowsOf(section).length >= Number(section.dataset.maxRows || Infinity);
    // aria-disabled, not disabled: the button keeps the focus and says why when pressed.
    if (full) add.setAttribute("aria-disabled", "true");
    else add.removeAttribute("aria-disabled");
  }

  function firstField(row) {
    return row && row.querySelector(FIELDS);
  }

  function addRow(section) {
    if (rowsOf(section).length >= Number(section.dataset.maxRows || Infinity)) {
      say(section, section.dataset.full);
      return;
    }
    const index = Number(section.dataset.nextIndex);
    section.dataset.nextIndex = String(index + 1);
    const placeholder = section.dataset.indexPlaceholder;
    const copy = section.querySelector("template[data-row-template]").content.cloneNode(true);
    for (const element of copy.querySelectorAll("*")) {
      for (const attribute of LINKS) {
        const value = element.getAttribute(attribute);
        if (value && value.includes(placeholder)) {
          element.setAttribute(attribute, value.split(placeholder).join(String(index)));
        }
      }
    }
    const row = copy.querySelector("[data-row]");
    section.querySelector("[data-rows-list]").appendChild(copy);
    nameButtons(section);
    markFull(section);
    const field = firstField(row);
    if (field) field.focus();
    say(section, fill(section.dataset.added, { number: rowsOf(section).length }));
  }

  function removeRow(section, row) {
    const rows = rowsOf(section);
    const position = rows.indexOf(row);
    const name = rowName(section, row, position + 1);
    // The focus goes to the row that takes its place, else the one before, else "Add".
    const next = rows[position + 1] || rows[position - 1];
    row.remove();
    nameButtons(section);
    markFull(section);
    const target = firstField(next) || section.querySelector("[data-row-add]");
    target.focus();
    say(section, fill(section.dataset.removed, { row: name }));
  }

  function setUp(section) {
    const add = section.querySelector("[data-row-add]");
    add.hidden = false;
    add.addEventListener("click", () => addRow(section));
    section.addEventListener("click", (event) => {
      const button = event.target.closest("[data-row-remove]");
      if (button && section.contains(button)) removeRow(section, button.closest("[data-row]"));
    });
    // The "Remove" buttons name their row as it is typed.
    const rename = (event) => {
      if (event.target.closest("[data-row]")) nameButtons(section);
    };
    section.addEventListener("input", rename);
    section.addEventListener("change", rename);
    nameButtons(section);
    markFull(section);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const section of document.querySelectorAll("[data-rows]")) setUp(section);
  });
})();
