// The template form's live preview: the text filled in for the chosen task, as the server renders
// it, with the errors next to their fields. Without JavaScript the Preview button does the same.
(() => {
  "use strict";
  const form = document.querySelector("[data-template-form]");
  if (!form) return;
  const watched = ["text", "hashtags", "custom_placeholders", "preview_task", "preview_values"];
  const box = form.querySelector("[data-template-preview]");
  const text = box.querySelector("[data-preview-text]");
  const count = box.querySelector("[data-preview-count]");
  let seq = 0;
  let timer = null;

  function showErrors(errors) {
    watched.forEach((name) => {
      const target = form.querySelector(`[data-errors-for="${name}"]`);
      const field = form.querySelector(`[name="${name}"]`);
      if (!target) return;
      target.innerHTML = "";
      const problems = errors[name] || [];
      if (problems.length) {
        const list = document.createElement("ul");
        list.className = "errorlist";
        problems.forEach((problem) => {
          const item = document.createElement("li");
          item.textContent = problem;
          list.append(item);
        });
        target.append(list);
      }
      if (field) field.toggleAttribute("aria-invalid", problems.length > 0);
    });
  }

  async function refresh() {
    const mine = ++seq;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    watched.forEach((name) => {
      const field = form.querySelector(`[name="${name}"]`);
      if (field) body.append(name, field.value);
    });
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok || mine !== seq) return;
      const data = await response.json();
      const errors = { ...data.errors };
      if (!form.querySelector("[name=preview_task]").value) delete errors.preview_task;
      showErrors(errors);
      text.innerHTML = data.ok ? data.html : "";
      count.textContent = data.ok ? `${data.weighted_length} / ${data.max} characters as X counts them` : "";
      count.classList.toggle("over", data.weighted_length > data.max);
    } catch (error) {
      // The next change tries again; saving checks everything anyway.
    }
  }

  form.addEventListener("input", (event) => {
    if (!watched.includes(event.target.name)) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "preview_task") refresh();
  });
  if (form.querySelector("[name=preview_task]").value) refresh();
})();
