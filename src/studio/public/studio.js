/* global document, fetch */
// The studio page: plain ES module, no build step. Everything goes through POST /api/studio (src/studio/server.ts).
//
// While a slider moves, previews are asked for one at a time: the newest values wait while one is in flight
// (older ones are dropped), and a preview that comes back after the slider was let go is not shown. Letting
// go (the 'change' event), a lock, the seed, reroll, undo and the words are saved faces, sent one after
// another in the order they were made; each answer redraws the controls from the face the server stored.
// An error is shown and loses nothing: the controls go back to the face shown, the words stay in the box.

const $ = (id) => document.getElementById(id);
const img = $('face');
const controlsEl = $('controls');
const textInput = $('text');
const seedInput = $('seed');
const undoButton = $('undo');

/** What the server last said the face is. */
let face = null;
let sliders = {};
let locks = [];
/** Axes moved by hand since their last release: answers do not pull them back under the pointer. */
const dirty = new Set();
/** Bumped on every save: previews asked for before it are not shown. */
let generation = 0;
let previewInFlight = false;
let previewWanted = null;
let chain = Promise.resolve();
let pending = 0;

function setPending(delta) {
  pending += delta;
  document.body.dataset.pending = String(pending);
  if (pending === 0) $('status').textContent = '';
}

function say(text, kind = 'error') {
  const el = $('message');
  el.textContent = text;
  el.className = `message ${kind}`;
  el.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
}

function fmt(v) {
  return `${v > 0 ? '+' : v < 0 ? '\u2212' : ''}${Math.abs(v).toFixed(2)}`;
}

async function api(body) {
  let res;
  try {
    res = await fetch('/api/studio', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { kind: 'error', error: 'The studio cannot be reached: is `npm run studio` still running?' };
  }
  try {
    return await res.json();
  } catch {
    return { kind: 'error', error: `The studio answered ${res.status} without a reply it could read.` };
  }
}

function lockIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '15');
  svg.setAttribute('height', '15');
  svg.setAttribute('aria-hidden', 'true');
  const body = document.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ x: 3, y: 7, width: 10, height: 8, rx: 1.5, fill: 'currentColor' })) body.setAttribute(k, String(v));
  const shackle = document.createElementNS(ns, 'path');
  shackle.setAttribute('d', 'M5 7V5a3 3 0 0 1 6 0v2');
  shackle.setAttribute('fill', 'none');
  shackle.setAttribute('stroke', 'currentColor');
  shackle.setAttribute('stroke-width', '1.8');
  svg.append(shackle, body);
  return svg;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function buildControls(controls) {
  controlsEl.replaceChildren();
  for (const group of controls.groups) {
    const title = `${group.group.charAt(0).toUpperCase()}${group.group.slice(1)}`;
    const fieldset = el('fieldset', { className: 'group', dataset: { group: group.group } }, el('legend', {}, title));
    for (const axis of group.axes) {
      const range = el('input', {
        type: 'range', min: String(controls.min), max: String(controls.max), step: String(controls.step), value: '0',
        dataset: { testid: `slider-${axis.name}`, axis: axis.name },
        'aria-label': `${axis.opposite} to ${axis.label}${axis.weak ? ' (weak)' : ''}`,
      });
      const output = el('output', { dataset: { testid: `value-${axis.name}` } }, '0.00');
      const lock = el('input', { type: 'checkbox', dataset: { testid: `lock-${axis.name}`, axis: axis.name }, 'aria-label': `lock ${axis.label}` });
      const label = el('span', { className: 'label' }, axis.label);
      if (axis.weak) label.append(el('span', { className: 'weak-mark', title: 'the model cannot change this one reliably yet' }, 'weak'));
      const row = el('div', { className: `axis${axis.weak ? ' weak' : ''}`, dataset: { axis: axis.name } },
        el('span', { className: 'opposite' }, axis.opposite), range, label, output,
        el('label', { className: 'lock', title: `hold ${axis.label} while the others move` }, lock, el('span', {}, lockIcon())));
      range.addEventListener('input', () => {
        dirty.add(axis.name);
        showValue(axis.name, Number(range.value));
        askPreview();
      });
      range.addEventListener('change', () => {
        dirty.delete(axis.name);
        save(() => ({ action: 'set', faceId: face.id, sliders: readSliders(), locks: readLocks() }), `drawing ${axis.label}…`);
      });
      lock.addEventListener('change', () => {
        row.classList.toggle('locked', lock.checked);
        range.disabled = lock.checked;
        save(() => ({ action: 'set', faceId: face.id, sliders: readSliders(), locks: readLocks() }), `${lock.checked ? 'locking' : 'unlocking'} ${axis.label}…`);
      });
      fieldset.append(row);
    }
    controlsEl.append(fieldset);
  }
}

function ranges() {
  return [...controlsEl.querySelectorAll('input[type=range]')];
}

function readSliders() {
  const out = {};
  for (const r of ranges()) {
    const v = Number(r.value);
    if (v !== 0) out[r.dataset.axis] = v;
  }
  return out;
}

function readLocks() {
  return [...controlsEl.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.dataset.axis);
}

function showValue(name, v) {
  const out = controlsEl.querySelector(`output[data-testid="value-${name}"]`);
  if (!out) return;
  out.textContent = fmt(v);
  out.classList.toggle('moved', v !== 0);
}

/** The controls as the face has them (axes being dragged keep their place). */
function showControls() {
  for (const r of ranges()) {
    const name = r.dataset.axis;
    const locked = locks.includes(name);
    const lock = controlsEl.querySelector(`input[data-testid="lock-${name}"]`);
    lock.checked = locked;
    r.disabled = locked;
    r.closest('.axis').classList.toggle('locked', locked);
    if (dirty.has(name)) continue;
    r.value = String(sliders[name] ?? 0);
    showValue(name, sliders[name] ?? 0);
  }
}

function showImage(src, alt) {
  img.src = src;
  img.alt = alt;
}

function showFace(reply) {
  face = reply.face;
  sliders = reply.sliders;
  locks = reply.locks;
  showImage(reply.image, reply.altText);
  img.dataset.faceId = face.id;
  $('caption').textContent = reply.caption || 'the seed as drawn';
  $('face-info').textContent = `face ${face.id} · seed ${face.seed} · \u03c8 ${face.truncation}${reply.stored ? ' · saved' : ''}`;
  seedInput.value = String(face.seed);
  undoButton.disabled = !reply.canUndo;
  const notes = [...reply.notes, ...(reply.unknown.length ? [`not understood: ${reply.unknown.map((w) => `"${w}"`).join(', ')}`] : [])];
  $('notes').replaceChildren(...notes.map((n) => el('li', {}, n)));
  showControls();
}

/** An answer that is not a face: said, and the controls go back to the face shown. */
function showProblem(reply) {
  if (reply.kind === 'text') say(reply.text, reply.reason === 'error' ? 'error' : 'info');
  else say(reply.error ?? 'Something went wrong.');
  showControls();
}

function askPreview() {
  previewWanted = { sliders: readSliders(), locks: readLocks() };
  pumpPreview();
}

function pumpPreview() {
  if (previewInFlight || !previewWanted || !face) return;
  const wanted = previewWanted;
  previewWanted = null;
  previewInFlight = true;
  const asked = { generation, faceId: face.id };
  setPending(1);
  $('status').textContent = 'previewing…';
  api({ action: 'preview', faceId: face.id, ...wanted })
    .then((reply) => {
      if (asked.generation !== generation || asked.faceId !== face.id) return;
      if (reply.kind === 'preview') showImage(reply.image, reply.altText);
      else showProblem(reply);
    })
    .finally(() => {
      previewInFlight = false;
      setPending(-1);
      pumpPreview();
    });
}

/** A saved change: sent after the ones before it; the body is made when its turn comes (the face id is the newest). */
function save(makeBody, status, { onFace } = {}) {
  generation++;
  previewWanted = null;
  setPending(1);
  $('status').textContent = status;
  chain = chain.then(async () => {
    if (!face) return;
    const reply = await api(makeBody());
    if (reply.kind === 'face') {
      clearMessage();
      showFace(reply);
      if (onFace) onFace(reply);
    } else {
      showProblem(reply);
    }
  }).finally(() => setPending(-1));
  return chain;
}

$('text-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const words = textInput.value;
  save(() => ({ action: 'text', faceId: face.id, text: words }), 'drawing…', {
    // the words leave the box only once they made a face
    onFace: () => {
      if (textInput.value === words) textInput.value = '';
    },
  });
});

$('seed-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = seedInput.value.trim();
  const seed = raw === '' ? null : Number(raw);
  save(() => ({ action: 'seed', faceId: face.id, seed }), `drawing seed ${raw}…`);
});

$('reroll').addEventListener('click', () => save(() => ({ action: 'reroll', faceId: face.id }), 'rerolling…'));
undoButton.addEventListener('click', () => save(() => ({ action: 'undo', faceId: face.id }), 'undoing…'));

/** A photo: its bytes to /api/photo; the studio then shows the face made from it, and the photo beside it. */
$('photo').addEventListener('change', () => {
  const file = $('photo').files[0];
  if (!file) return;
  generation++;
  setPending(1);
  $('status').textContent = 'reading your photo…';
  chain = chain.then(async () => {
    let reply;
    try {
      const res = await fetch('/api/photo', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file });
      reply = await res.json();
    } catch {
      reply = { kind: 'error', error: 'The studio cannot be reached, or answered without a reply it could read.' };
    }
    if (reply.kind === 'face') {
      clearMessage();
      showFace(reply);
      $('compare').src = reply.compare;
      $('compare-box').hidden = false;
    } else {
      showProblem(reply);
    }
    $('photo').value = '';
  }).finally(() => setPending(-1));
});

async function start() {
  setPending(1);
  $('status').textContent = 'opening…';
  const reply = await api({ action: 'open' });
  if (reply.kind === 'face') {
    buildControls(reply.controls);
    showFace(reply);
    document.body.dataset.ready = 'true';
  } else {
    say(reply.error ?? reply.text ?? 'The studio could not open a face.');
  }
  setPending(-1);
}

// a module script runs once the page is parsed
void start();
