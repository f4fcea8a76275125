// The site menu on a phone: folded behind the "Menu" button (CSS shows the button only on small
// screens, once this script has marked the header collapsible); without JavaScript it stays open.
(() => {
  "use strict";
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector("[data-menu-toggle]");
  if (!toggle) return;
  header.classList.add("collapsible");
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("open")) {
      header.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();
