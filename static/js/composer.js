// The composer, progressively enhanced. Without JavaScript the form posts and re-renders as usual.
// With it: the server's weighted count and the X preview while typing, accounts filtered by task,
// drag and drop with alt text per file, an upload progress bar, errors swapped in next to their
// fields without losing anything typed or attached, the unsent draft kept in localStorage, and
// threads: "Add another part", each part with its own count, media and card in the preview; and each
// network's card (its text as that network shows it, the account's header, the media as it lays them out).
(() => {
  "use strict";
  const form = document.querySelector("[data-composer]");
  if (!form) return;

  const $ = (selector, root = form) => root.querySelector(selector);
  const $$ = (selector, root = form) => Array.from(root.querySelectorAll(selector));
  const content = $("[data-content]");
  const hashtags = $("[data-hashtags]");
  const count = $("[data-count]");
  const counter = $("[data-counter]");
  const previewText = $("[data-preview-text]");
  const previewMedia = $("[data-preview-media]");
  const taskSelect = $("[data-task-select]");
  const mediaInput = $("[data-media-input]");
  const mediaList = $("[data-media-list]");
  const dropzone = $("[data-dropzone]");
  const progress = $("[data-progress]");
  const submit = $("[data-submit]");
  const csrf = $("input[name=csrfmiddlewaretoken]").value;
  const draftKey = `socialhub-draft:${form.dataset.draftKey}`;
  const files = [];  // {file, alt, url}

  // --- The count and the preview come from the server, so they always agree with it.
  let previewSeq = 0;
  let previewTimer = null;

  async function refreshPreview() {
    const seq = ++previewSeq;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("content", content.value);
    body.append("hashtags", hashtags.value);
    $$("[data-part-content]").forEach((area) => body.append(area.name, area.value));
    $$("[data-network-content]").forEach((area) => body.append(area.name, area.value));
    // The options and the accounts: the preview shows the options, the limit is the accounts'.
    $$("[data-option]").forEach((field) => {
      if (field.type !== "checkbox" || field.checked) body.append(field.name, field.value);
    });
    $$("[data-account]:checked").forEach((box) => body.append("accounts", box.value));
    const visibility = $("[name=mastodon_visibility]");
    if (visibility) body.append("mastodon_visibility", visibility.value);
    counter.dataset.pending = "1";
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok || seq !== previewSeq) return;
      const data = await response.json();
      count.textContent = data.weighted_length;
      counter.classList.toggle("over", data.over);
      previewText.innerHTML = data.html;
      $$("[data-max]").forEach((max) => { max.textContent = data.max; });
      const options = $("[data-preview-thread] [data-preview-options]");
      if (options) options.innerHTML = data.options_html || "";
      const estimate = $("[data-estimate]");
      if (estimate) estimate.textContent = data.estimate || "";
      (data.parts || []).forEach((part) => {
        const fields = $(`[data-part][data-n="${part.n}"]`);
        if (!fields) return;
        fields.querySelector("[data-count]").textContent = part.weighted_length;
        fields.querySelector("[data-part-counter]").classList.toggle("over", part.over);
        const card = $(`[data-preview-part="${part.n}"] [data-preview-text]`);
        if (card) card.innerHTML = part.html;
      });
      // Only the ticked accounts' networks (all of them while none is ticked, as the page came).
      const previewed = new Set((data.networks || []).map((network) => network.provider));
      $$("[data-network]").forEach((card) => { card.hidden = previewed.size > 0 && !previewed.has(card.dataset.network); });
      (data.networks || []).forEach((network) => {
        const card = $(`[data-network="${network.provider}"]`);
        if (!card) return;
        card.querySelector("[data-network-text]").innerHTML = network.html;
        card.querySelector("[data-network-count]").textContent = network.used;
        card.querySelector("[data-network-counter]").classList.toggle("over", network.over);
        card.querySelectorAll("[data-network-name]").forEach((name) => { name.textContent = network.name; });
        card.querySelector("[data-network-handle]").textContent = network.handle;
        card.querySelector("[data-network-meta]").textContent = network.meta;
        const initial = card.querySelector("[data-network-initial]");
        initial.textContent = network.initial;
        initial.classList.toggle("is-page", network.page);
        const link = card.querySelector("[data-network-link]");
        if (link) {
          link.querySelector("[data-network-link-host]").textContent = network.link_host.toUpperCase();
          link.dataset.host = network.link_host;
          showLinkCard(card);
        }
      });
      const tagErrors = $("[data-errors-for=hashtags]");
      tagErrors.innerHTML = data.hashtag_error ? `<ul class="errorlist"><li></li></ul>` : "";
      if (data.hashtag_error) tagErrors.querySelector("li").textContent = data.hashtag_error;
      hashtags.toggleAttribute("aria-invalid", Boolean(data.hashtag_error));
      if (seq === previewSeq) delete counter.dataset.pending;
    } catch (error) {
      // The next keystroke tries again; the server checks the length on submit anyway.
    }
  }

  function schedulePreview() {
    window.clearTimeout(previewTimer);
    counter.dataset.pending = "1";
    previewTimer = window.setTimeout(refreshPreview, 200);
  }

  // --- Accounts follow the chosen task's client; the X preview shows the first X account ticked.
  function filterAccounts() {
    if (!taskSelect) return;
    const option = taskSelect.selectedOptions[0];
    const client = option ? option.dataset.client : "";
    const labels = $$("label[data-client]");
    let visible = 0;
    labels.forEach((label) => {
      const show = Boolean(client) && label.dataset.client === client;
      label.hidden = !show;
      if (!show) label.querySelector("input").checked = false;
      visible += show ? 1 : 0;
    });
    const shown = labels.filter((label) => !label.hidden);
    if (shown.length === 1) shown[0].querySelector("input").checked = true;
    $("[data-no-accounts]").hidden = !client || visible > 0;
    updatePreviewAccount();
  }

  function updatePreviewAccount() {
    // The X card shows the first X account ticked (each other network's card comes with its own header).
    const box = $$("[data-account]").find((input) => input.checked && input.dataset.provider === "twitter");
    if (!box) return;
    // Every card of the preview: part 1's and a thread's later parts'.
    $$("[data-preview-name]").forEach((name) => { name.textContent = box.dataset.name; });
    $$("[data-preview-handle]").forEach((handle) => { handle.textContent = `@${box.dataset.username}`; });
    $$("[data-preview-initial]").forEach((initial) => { initial.textContent = (box.dataset.username[0] || "X").toUpperCase(); });
  }

  // --- Each network's media, laid out as it lays them out (app.css, by data-count); on Instagram one
  // picture at a time (data-tiles), at its ratio within 4:5 to 1.91:1, with the carousel's dots.
  // The same as posts/_network_media.html renders.
  function layoutMedia(box) {
    const tiles = box.querySelectorAll(":scope > img, :scope > video");
    const shown = Number(box.dataset.tiles || 4);
    box.dataset.count = tiles.length;
    tiles.forEach((tile, i) => { tile.hidden = i >= shown; });
    const igCounter = box.querySelector("[data-ig-counter]");
    if (!igCounter) return;
    igCounter.textContent = `1/${tiles.length}`;
    igCounter.hidden = tiles.length < 2;
    const dots = box.parentElement.querySelector("[data-ig-dots]");
    dots.replaceChildren(...Array.from(tiles.length > 1 ? tiles : [], (_, i) => {
      const dot = document.createElement("span");
      if (i === 0) dot.className = "on";
      return dot;
    }));
    const first = tiles[0];
    box.style.aspectRatio = "";
    if (first && first.tagName === "IMG") {
      const fit = () => {
        if (!first.naturalWidth) return;
        const ratio = Math.min(1.91, Math.max(0.8, first.naturalWidth / first.naturalHeight));
        box.style.aspectRatio = String(ratio);
      };
      if (first.complete) fit(); else first.addEventListener("load", fit, { once: true });
    }
  }

  function showLinkCard(card) {
    // Facebook sends a post with a link and no photo as a link post, shown with the page's card.
    const link = card.querySelector("[data-network-link]");
    const media = card.querySelector("[data-network-media]");
    if (link) link.hidden = !link.dataset.host || Number(media.dataset.count) > 0;
  }

  function renderNetworkMedia(nodes) {
    $$("[data-network-media]").forEach((box) => {
      box.querySelectorAll("[data-new]").forEach((node) => node.remove());
      const counter = box.querySelector("[data-ig-counter]");  // stays last, over the picture
      nodes.forEach((node) => box.insertBefore(node.cloneNode(true), counter));
      layoutMedia(box);
      showLinkCard(box.closest("[data-network]"));
    });
  }

  // --- Media: drag and drop or pick; each file gets its own alt text.
  function renderMedia() {
    mediaList.innerHTML = "";
    previewMedia.querySelectorAll("[data-new]").forEach((node) => node.remove());
    files.forEach((item, index) => {
      const li = document.createElement("li");
      const id = `alt-${index}`;
      li.innerHTML = `<span class="file-name"></span>
        <label for="${id}">Alt text</label>
        <input type="text" id="${id}" maxlength="1000" placeholder="Describe it for people who cannot see it">
        <button type="button" class="link">Remove</button>`;
      const size = item.file.size < 1048576 ? `${Math.ceil(item.file.size / 1024)} KB` : `${(item.file.size / 1048576).toFixed(1)} MB`;
      li.querySelector(".file-name").textContent = `${item.file.name} (${size})`;
      const alt = li.querySelector("input");
      alt.value = item.alt;
      alt.addEventListener("input", () => { item.alt = alt.value; });
      li.querySelector("button").addEventListener("click", () => {
        URL.revokeObjectURL(item.url);
        files.splice(index, 1);
        renderMedia();
      });
      mediaList.append(li);
      const node = document.createElement(item.file.type.startsWith("video/") ? "video" : "img");
      node.src = item.url;
      node.dataset.new = "1";
      if (node.tagName === "IMG") node.alt = item.alt; else node.muted = true;
      previewMedia.append(node);
    });
    renderNetworkMedia(Array.from(previewMedia.querySelectorAll("[data-new]")));
  }

  function addFiles(list) {
    for (const file of list) files.push({ file, alt: "", url: URL.createObjectURL(file) });
    mediaInput.value = "";
    renderMedia();
  }

  $("[data-alt-fallback]").hidden = true;
  dropzone.classList.add("enhanced");  // its "choose files" link replaces the browser's button
  $("[data-dropzone-hint]").hidden = false;
  mediaInput.addEventListener("change", () => addFiles(mediaInput.files));
  ["dragenter", "dragover"].forEach((type) => dropzone.addEventListener(type, (event) => {
    event.preventDefault();
    dropzone.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((type) => dropzone.addEventListener(type, () => dropzone.classList.remove("dragging")));
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });

  // --- Threads: "Add another part" adds a part's fields and its card in the preview; each part
  // has its own counter (from the server) and media. Without JavaScript the button re-renders.
  const thread = $("[data-thread]");
  const partsList = $("[data-parts]");
  const partTemplate = $("[data-part-template]");
  const previewThread = $("[data-preview-thread]");
  const maxParts = Number(thread.dataset.maxParts || 25);
  const addPart = $("[data-add-part]");
  let nextN = Math.max(1, ...$$("[data-part]").map((li) => Number(li.dataset.n))) + 1;

  function previewCard(n) {
    const li = document.createElement("li");
    li.className = "x-thread-part";
    li.dataset.previewPart = n;
    li.append(previewThread.querySelector(".x-card").cloneNode(true));
    li.querySelector("[data-preview-text]").innerHTML = "";
    li.querySelector("[data-preview-media]").innerHTML = "";
    li.querySelector("[data-preview-options]")?.replaceChildren();  // options go with part 1 only
    return li;
  }

  function renumberParts() {
    const parts = $$("[data-part]");
    parts.forEach((li, index) => { li.querySelector("[data-part-number]").textContent = index + 2; });
    previewThread.classList.toggle("is-thread", parts.length > 0);
    addPart.hidden = parts.length + 1 >= maxParts;
  }

  function wirePart(li) {
    const n = li.dataset.n;
    const alts = li.querySelectorAll("[data-part-alts] label");
    const showAlts = (count) => alts.forEach((label, i) => { label.hidden = i >= count; });
    showAlts(0);
    li.querySelector("[data-part-content]").addEventListener("input", () => { schedulePreview(); saveDraft(); });
    li.querySelector("[data-part-media]").addEventListener("change", (event) => {
      const chosen = Array.from(event.target.files);
      showAlts(chosen.length);
      const media = $(`[data-preview-part="${n}"] [data-preview-media]`);
      media.querySelectorAll("[data-new]").forEach((node) => { URL.revokeObjectURL(node.src); node.remove(); });
      chosen.forEach((file) => {
        const node = document.createElement(file.type.startsWith("video/") ? "video" : "img");
        node.src = URL.createObjectURL(file);
        node.dataset.new = "1";
        if (node.tagName === "VIDEO") node.muted = true; else node.alt = "";
        media.append(node);
      });
    });
    li.querySelector("[data-part-delete]").addEventListener("change", (event) => {
      if (!event.target.checked) return;
      li.remove();
      $(`[data-preview-part="${n}"]`)?.remove();
      renumberParts();
      saveDraft();
    });
  }

  function newPart(text = "") {
    const n = nextN++;
    const html = partTemplate.innerHTML.replaceAll("__N__", String(n));
    const holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    const li = holder.firstElementChild;
    li.querySelector("[data-part-content]").value = text;
    partsList.append(li);
    previewThread.append(previewCard(n));
    wirePart(li);
    renumberParts();
    return li;
  }

  $$("[data-part]").forEach(wirePart);
  renumberParts();
  addPart.addEventListener("click", (event) => {
    event.preventDefault();
    newPart().querySelector("textarea").focus();
    saveDraft();
  });

  // --- "As soon as approved" or a date and time.
  const schedule = $("[data-schedule]");
  function toggleSchedule() {
    const at = $("input[name=when]:checked")?.value === "at";
    schedule.hidden = !at;
  }

  // --- The unsent draft survives a reload, a crash or a failed submit.
  const fields = () => ({
    content: content.value,
    hashtags: hashtags.value,
    task: taskSelect ? taskSelect.value : "",
    when: $("input[name=when]:checked")?.value || "approval",
    schedule_at: $("input[name=schedule_at]").value,
    accounts: $$("[data-account]").filter((box) => box.checked).map((box) => box.value),
    parts: $$("[data-part-content]").map((area) => area.value),
    options: Object.fromEntries($$("[data-option]").map((field) => [
      field.name, field.type === "checkbox" ? field.checked : field.value])),
  });
  let draftTimer = null;
  let sent = false;  // once the server took the post, no pending save may bring the draft back
  function saveDraft() {
    window.clearTimeout(draftTimer);
    if (sent) return;
    draftTimer = window.setTimeout(() => {
      try { localStorage.setItem(draftKey, JSON.stringify(fields())); } catch (error) { /* storage full or off */ }
    }, 300);
  }
  function restoreDraft() {
    if ("hasErrors" in form.dataset) return;  // the server re-rendered the user's input already
    let draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (error) { return; }
    if (!draft || JSON.stringify(draft) === JSON.stringify(fields())) return;
    if (!draft.content && !draft.hashtags) return;
    content.value = draft.content;
    hashtags.value = draft.hashtags;
    if (taskSelect && draft.task) { taskSelect.value = draft.task; filterAccounts(); }
    const when = $(`input[name=when][value="${draft.when}"]`);
    if (when) when.checked = true;
    $("input[name=schedule_at]").value = draft.schedule_at || "";
    toggleSchedule();  // a restored "At a date and time" shows the date it restored
    $$("[data-account]").forEach((box) => { box.checked = draft.accounts.includes(box.value); });
    if ($$("[data-part]").length === 0) (draft.parts || []).forEach((text) => newPart(text));
    $$("[data-option]").forEach((field) => {
      const value = (draft.options || {})[field.name];
      if (value === undefined) return;
      if (field.type === "checkbox") field.checked = Boolean(value); else field.value = value;
    });
    if (Object.values(draft.options || {}).some((v) => v && v !== "everyone" && v !== "1440")) {
      $("[data-post-options]").open = true;
    }
    schedulePreview();
    $("[data-draft-note]").hidden = false;
  }
  $("[data-draft-discard]").addEventListener("click", () => {
    localStorage.removeItem(draftKey);
    window.location.reload();
  });

  // --- Submit with a progress bar; errors land next to their fields, the draft stays.
  // An error is never left inside a hidden part of the form: the date's error ticks
  // "At a date and time" so the date field shows with it.
  function reveal(box) {
    if (schedule.contains(box)) {
      const at = $("input[name=when][value=at]");
      if (at) at.checked = true;
      toggleSchedule();
    }
    for (let node = box; node && node !== form; node = node.parentElement) node.hidden = false;
  }
  function showErrors(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    let first = null;
    $$("[data-errors-for]").forEach((box) => {
      const fresh = doc.querySelector(`[data-errors-for="${box.dataset.errorsFor}"]`);
      box.innerHTML = fresh ? fresh.innerHTML : "";
      const name = box.dataset.errorsFor;
      const field = name === "__all__" ? null : form.querySelector(`[name="${name}"]`);
      if (field) field.toggleAttribute("aria-invalid", Boolean(box.textContent.trim()));
      if (box.textContent.trim()) reveal(box);
      if (!first && box.textContent.trim()) first = field || box;
    });
    if (first) {
      if (!first.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA)$/.test(first.tagName)) first.tabIndex = -1;
      first.focus();
    }
  }

  function showFailure(message) {
    const box = $("[data-errors-for=__all__]");
    box.innerHTML = `<ul class="errorlist"><li></li></ul>`;
    box.querySelector("li").textContent = `${message} Your draft is kept: try again.`;
    box.tabIndex = -1;
    box.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = new FormData(form);
    body.delete("media");
    body.delete("alt_text");
    files.forEach((item) => { body.append("media", item.file); body.append("alt_text", item.alt); });
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    request.addEventListener("load", () => {
      submit.disabled = false;
      progress.hidden = true;
      if (request.status === 200 && (request.getResponseHeader("Content-Type") || "").includes("json")) {
        sent = true;
        window.clearTimeout(draftTimer);
        localStorage.removeItem(draftKey);
        window.location.assign(JSON.parse(request.responseText).redirect);
      } else if (request.status === 422) {
        showErrors(request.responseText);
      } else {
        showFailure(`The server answered ${request.status}.`);
      }
    });
    request.addEventListener("error", () => {
      submit.disabled = false;
      progress.hidden = true;
      showFailure("Could not reach SocialHub.");
    });
    submit.disabled = true;
    progress.value = 0;
    progress.hidden = files.length === 0;
    request.send(body);
  });

  content.addEventListener("input", () => { schedulePreview(); saveDraft(); });
  hashtags.addEventListener("input", () => { schedulePreview(); saveDraft(); });
  $$("[data-network-content]").forEach((area) => area.addEventListener("input", schedulePreview));
  $$("[data-account]").forEach((box) => box.addEventListener("change", schedulePreview));
  $$("[data-option]").forEach((field) => field.addEventListener("input", () => { schedulePreview(); saveDraft(); }));
  form.addEventListener("change", (event) => {
    if (event.target === taskSelect) { filterAccounts(); schedulePreview(); }
    if (event.target.matches("[data-account]")) { updatePreviewAccount(); schedulePreview(); }
    if (event.target.matches("[data-option]") || event.target.name === "mastodon_visibility") schedulePreview();
    if (event.target.name === "when") toggleSchedule();
    saveDraft();
  });

  if (taskSelect) {
    const ticked = $$("[data-account]").filter((box) => box.checked).map((box) => box.value);
    filterAccounts();
    // Keep what the server re-rendered as ticked, even when the task has several accounts.
    $$("[data-account]").forEach((box) => { if (ticked.includes(box.value)) box.checked = !box.closest("label").hidden; });
  }
  updatePreviewAccount();
  $$("[data-network-media]").forEach(layoutMedia);
  toggleSchedule();
  $$("[data-errors-for]").forEach((box) => { if (box.textContent.trim()) reveal(box); });
  restoreDraft();
  if (content.value || hashtags.value || $$("[data-part]").length) refreshPreview();
})();
