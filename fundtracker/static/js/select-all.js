// "Select all on this page": a checkbox with data-select-all="<name>" ticks or clears every
// checkbox called <name> (those of the form named by data-select-form, when given), and shows
// whether all, some (indeterminate) or none of them are ticked. Progressive enhancement: the
// box's container is `hidden` in the page and shown here, so without this script there is no
// box that does nothing; each row's own checkbox works either way.
document.addEventListener("DOMContentLoaded", () => {
  for (const master of document.querySelectorAll("input[type=checkbox][data-select-all]")) {
    const name = master.dataset.selectAll;
    const formId = master.dataset.selectForm;
    const boxes = () =>
      Array.from(document.querySelectorAll("input[type=checkbox]")).filter(
        (box) =>
          box !== master &&
          box.name === name &&
          (!formId || (box.form && box.form.id === formId)),
      );
    const show = () => {
      const all = boxes();
      const ticked = all.filter((box) => box.checked).length;
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    };
    master.addEventListener("change", () => {
      for (const box of boxes()) box.checked = master.checked;
      master.indeterminate = false;
    });
    document.addEventListener("change", (event) => {
      if (event.target !== master && event.target.name === name) show();
    });
    const holder = master.closest("[data-select-all-box]");
    if (holder) holder.hidden = false;
    show();
  }
});
