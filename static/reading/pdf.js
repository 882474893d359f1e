// PDF reader on pdf.js: one page at a time on a canvas, zoom (fit width or a scale), keyboard;
// the page is saved and resumed on any device.
const root = document.getElementById("reader");
const $ = (id) => document.getElementById(id);
const fileId = Number(root.dataset.fileId);
const progress = window.OmniProgress.saver(root.dataset.itemId, fileId, $("saved"));
const state = { page: 1, scale: null, doc: null, rendering: null };

async function draw() {
  const page = await state.doc.getPage(state.page);
  const box = $("book");
  const natural = page.getViewport({ scale: 1 });
  const scale = state.scale || Math.max(0.25, (box.clientWidth - 24) / natural.width);
  const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
  const canvas = $("canvas");
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  canvas.style.width = `${viewport.width / (window.devicePixelRatio || 1)}px`;
  if (state.rendering) state.rendering.cancel();
  state.rendering = page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport });
  try { await state.rendering.promise; } catch (error) { if (error.name !== "RenderingCancelledException") throw error; }
  canvas.setAttribute("aria-label", `Page ${state.page} of ${state.doc.numPages}`);
  $("page-number").value = state.page;
  $("location").textContent = `Page ${state.page} of ${state.doc.numPages}`;
  $("zoom").textContent = state.scale ? `${Math.round(state.scale * 100)}%` : "Fit width";
  const total = state.doc.numPages;
  progress.save({ page: state.page }, total > 1 ? ((state.page - 1) / (total - 1)) * 100 : 100);
}

function go(page) {
  state.page = Math.max(1, Math.min(state.doc.numPages, page));
  return draw();
}

function bind() {
  $("prev").addEventListener("click", () => go(state.page - 1));
  $("next").addEventListener("click", () => go(state.page + 1));
  $("page-number").addEventListener("change", (e) => go(Number(e.target.value) || 1));
  $("zoom-in").addEventListener("click", () => { state.scale = Math.min(5, (state.scale || 1) + 0.25); draw(); });
  $("zoom-out").addEventListener("click", () => { state.scale = Math.max(0.25, (state.scale || 1) - 0.25); draw(); });
  $("zoom-fit").addEventListener("click", () => { state.scale = null; draw(); });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if (["ArrowRight", "PageDown"].includes(event.key)) { go(state.page + 1); event.preventDefault(); }
    if (["ArrowLeft", "PageUp"].includes(event.key)) { go(state.page - 1); event.preventDefault(); }
  });
}

async function open() {
  const pdfjs = await import(root.dataset.library);
  pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
  state.doc = await pdfjs.getDocument({
    url: root.dataset.fileUrl, withCredentials: true, isEvalSupported: false,
    standardFontDataUrl: root.dataset.fonts,
  }).promise;
  $("page-count").textContent = state.doc.numPages;
  $("page-number").max = state.doc.numPages;
  const saved = window.OmniProgress.initial();
  const start = saved.file_id === fileId && saved.locator?.page ? saved.locator.page : 1;
  progress.restored({ page: start });
  bind();
  await go(start);
  root.dataset.ready = "1";
}

open().catch((error) => {
  $("book").replaceChildren(Object.assign(document.createElement("p"), {
    className: "error", textContent: "This PDF cannot be opened: " + error.message }));
});
