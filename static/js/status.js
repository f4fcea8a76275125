// Live post status: while a post on the page is being published (or about to be), ask the server
// every 2 seconds and swap in its status fragment (processing -> published or failed), no reload.
(() => {
  "use strict";
  const INTERVAL_MS = 2000;
  const url = document.body.dataset.statusUrl;
  if (!url) return;

  const boxes = () => Array.from(document.querySelectorAll("[data-post-status]"));

  async function poll() {
    const live = boxes().filter((box) => box.dataset.live === "1");
    if (!live.length) return;
    const ids = [...new Set(live.map((box) => box.dataset.postId))];
    try {
      const response = await fetch(`${url}?ids=${ids.join(",")}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        for (const post of data.posts) {
          document.querySelectorAll(`[data-post-status][data-post-id="${post.id}"]`).forEach((box) => {
            box.dataset.live = post.live ? "1" : "0";
            if (box.dataset.html === post.html) return;  // unchanged: do not re-announce it
            box.innerHTML = post.html;
            box.dataset.html = post.html;
            box.dataset.status = String(post.status);
          });
        }
      }
    } catch (error) {
      // Offline for a moment: try again on the next tick.
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
