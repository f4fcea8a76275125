// Small form behaviours, without inline handlers (the Content-Security-Policy allows no inline script).
// [data-select-all]: a checkbox that ticks every [data-select] box. [data-autosubmit]: a select
// that submits its form when changed.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  all.addEventListener("change", () => {
    document.querySelectorAll("[data-select]").forEach((box) => { box.checked = all.checked; });
  });
});
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
