// Shared bits of the ledger verifier's pages: translated messages and small DOM helpers.

export function messages() {
  const table = {};
  const root = document.querySelector('.ledger-messages');
  if (root) for (const el of root.querySelectorAll('[data-key]')) table[el.dataset.key] = el.textContent;
  return (key, params = {}) =>
    (table[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function item(list, text, cls = '') {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  list.appendChild(li);
  return li;
}

const STATUS = { ok: 'alert-success', fail: 'alert-danger', stopped: 'alert-warning', running: 'alert-secondary', idle: '' };

export function verdict(el, status, text) {
  el.classList.remove('d-none', 'alert-success', 'alert-danger', 'alert-warning', 'alert-secondary');
  if (STATUS[status]) el.classList.add(STATUS[status]);
  el.dataset.status = status;
  el.textContent = text;
}

export function when(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

// The common lines of a report: alerts (a changed key) first and loud, then the checkpoint and
// the witnesses.
export function describe(report, list, msg) {
  for (const alert of report.alerts) item(list, alert, 'text-danger fw-bold ledger-alert');
  if (report.checkpoint) {
    item(list, msg('checkpoint_line', { size: report.checkpoint.size, root: report.checkpoint.root, time: report.checkpoint.time }));
  }
  if (report.checkpoint || report.cosignatures.length) {
    if (!report.cosignatures.length) item(list, msg('no_witnesses'), 'text-muted');
    for (const c of report.cosignatures) {
      if (c.ok) item(list, msg('cosigned_by', { name: c.name, time: when(c.time) }), 'text-success ledger-cosigned');
      else item(list, msg('not_cosigned', { name: c.name }), 'text-warning-emphasis');
    }
  }
  for (const note of report.notes) item(list, note, 'text-muted');
  if (report.provider) item(list, msg('provider', { name: report.provider }), 'text-muted');
}
