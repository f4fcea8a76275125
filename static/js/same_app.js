// The composer warns when the ticked accounts share one X app: X does not allow one app to post
// the same text to several accounts, so approval would hold all but the first (agency/same_app.py).
(() => {
  const warning = document.querySelector("[data-same-app-warning]");
  if (!warning) return;
  const names = warning.querySelector("[data-same-app-accounts]");

  function check() {
    const byApp = new Map();
    document.querySelectorAll("input[data-account]:checked").forEach((box) => {
      const label = box.closest("label");
      if (label && label.hidden) return;
      const list = byApp.get(box.dataset.xApp) || [];
      list.push("@" + box.dataset.username);
      byApp.set(box.dataset.xApp, list);
    });
    const shared = [...byApp.values()].filter((list) => list.length > 1);
    names.textContent = shared.map((list) => list.join(", ")).join("; ");
    warning.hidden = shared.length === 0;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("input[data-account], [data-task-select]")) check();
  });
  check();
})();
