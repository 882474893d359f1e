// EPUB (and MOBI/AZW3/FB2) reader on foliate-js: pages or scroll, text size, light/dark/sepia,
// contents, search in the book; the place (CFI + percent) is saved and resumed on any device.
const root = document.getElementById("reader");
const $ = (id) => document.getElementById(id);
const THEMES = {
  light: { fg: "#1d1d1f", bg: "#ffffff", link: "#2d5fb8" },
  dark: { fg: "#e6e6ea", bg: "#17171a", link: "#8ab4ff" },
  sepia: { fg: "#433422", bg: "#f4ecd8", link: "#7a4b12" },
};
const settings = JSON.parse(localStorage.getItem("omni-reader") || "{}");
settings.theme = THEMES[settings.theme] ? settings.theme : "light";
settings.fontSize = settings.fontSize || 100;
settings.flow = settings.flow === "scrolled" ? "scrolled" : "paginated";

const itemId = root.dataset.itemId;
const fileId = Number(root.dataset.fileId);
const progress = window.OmniProgress.saver(itemId, fileId, $("saved"));
let view;

function bookCss() {
  const t = THEMES[settings.theme];
  return `html { color-scheme: ${settings.theme === "dark" ? "dark" : "light"}; font-size: ${settings.fontSize}% !important; }
    html, body { color: ${t.fg} !important; background: ${t.bg} !important; }
    a:any-link { color: ${t.link} !important; }
    p, li, blockquote, dd { line-height: 1.5; }`;
}

function applySettings() {
  localStorage.setItem("omni-reader", JSON.stringify(settings));
  root.dataset.readerTheme = settings.theme;
  $("reader-theme").value = settings.theme;
  $("flow").value = settings.flow;
  $("font-size").textContent = settings.fontSize + "%";
  if (!view || !view.renderer) return;
  view.renderer.setAttribute("flow", settings.flow);
  view.renderer.setStyles?.(bookCss());
}

function tocList(items) {
  const list = document.createElement("ol");
  for (const entry of items || []) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = entry.label || "—";
    link.addEventListener("click", (event) => { event.preventDefault(); view.goTo(entry.href); togglePanel("toc", false); });
    li.append(link);
    if (entry.subitems?.length) li.append(tocList(entry.subitems));
    list.append(li);
  }
  return list;
}

function togglePanel(id, open) {
  const panel = $(id);
  panel.hidden = !open;
  if (id === "toc") $("toc-toggle").setAttribute("aria-expanded", String(open));
}

function onRelocate({ detail }) {
  const percent = (detail.fraction || 0) * 100;
  const chapter = detail.tocItem?.label ? detail.tocItem.label + " · " : "";
  $("location").textContent = chapter + Math.round(percent) + "%";
  root.dataset.cfi = detail.cfi || "";
  if (detail.cfi) progress.save({ cfi: detail.cfi }, percent);
}

async function search(query) {
  const results = $("search-results");
  const list = results.querySelector("ol");
  list.replaceChildren();
  togglePanel("search-results", true);
  $("search-status").textContent = "Searching…";
  let found = 0;
  for await (const result of view.search({ query })) {
    if (result === "done") break;
    for (const hit of result.subitems || []) {
      found += 1;
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = "#";
      const mark = document.createElement("mark");
      mark.textContent = hit.excerpt.match;
      link.append(hit.excerpt.pre, mark, hit.excerpt.post);
      link.addEventListener("click", (event) => { event.preventDefault(); view.goTo(hit.cfi); });
      li.append(link);
      list.append(li);
    }
  }
  $("search-status").textContent = found ? `${found} found` : "Not found in this book";
}

function bindKeys(target) {
  target.addEventListener("keydown", (event) => {
    if (event.target.closest?.("input, select, textarea")) return;
    if (event.key === "ArrowLeft" || event.key === "PageUp") { view.goLeft(); event.preventDefault(); }
    if (event.key === "ArrowRight" || event.key === "PageDown") { view.goRight(); event.preventDefault(); }
  });
}

function bindControls() {
  $("prev").addEventListener("click", () => view.prev());
  $("next").addEventListener("click", () => view.next());
  $("toc-toggle").addEventListener("click", () => togglePanel("toc", $("toc").hidden));
  $("flow").addEventListener("change", (e) => { settings.flow = e.target.value; applySettings(); });
  $("reader-theme").addEventListener("change", (e) => { settings.theme = e.target.value; applySettings(); });
  $("font-smaller").addEventListener("click", () => { settings.fontSize = Math.max(60, settings.fontSize - 10); applySettings(); });
  $("font-larger").addEventListener("click", () => { settings.fontSize = Math.min(250, settings.fontSize + 10); applySettings(); });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("search-q").value.trim();
    if (query) search(query);
    else { view.clearSearch(); togglePanel("search-results", false); }
  });
  bindKeys(document);
}

async function open() {
  await import(root.dataset.library);
  const response = await fetch(root.dataset.fileUrl, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`the file could not be loaded (HTTP ${response.status})`);
  const file = new File([await response.blob()], root.dataset.fileName);
  view = document.createElement("foliate-view");
  $("book").replaceChildren(view);
  await view.open(file);
  view.addEventListener("relocate", onRelocate);
  view.addEventListener("load", ({ detail }) => bindKeys(detail.doc));
  $("toc").replaceChildren(tocList(view.book.toc));
  applySettings();
  const saved = window.OmniProgress.initial();
  const cfi = saved.file_id === fileId ? saved.locator?.cfi : null;
  if (cfi) progress.restored({ cfi });
  await view.init({ lastLocation: cfi || null });
  root.dataset.ready = "1";
}

bindControls();
applySettings();
open().catch((error) => {
  $("book").replaceChildren(Object.assign(document.createElement("p"), {
    className: "error", textContent: "This book cannot be opened: " + error.message }));
});
