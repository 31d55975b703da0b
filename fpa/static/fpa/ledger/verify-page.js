// The /ledger/verify/ page: the whole log, checked in the browser (core.js), and the key pins.

import { getJSON, parseVerifierKey, pins, verifyLog } from './core.js';
import { cryptoProvider } from './crypto.js';
import { describe, item, messages, verdict } from './ui.js';

const msg = messages();
const root = document.getElementById('ledger-verifier');
const base = root.dataset.base;
const chartEl = document.getElementById('ledger-chart');
const chart = chartEl ? JSON.parse(chartEl.textContent) : {};
const start = document.getElementById('ledger-start');
const stopButton = document.getElementById('ledger-stop');
const bar = document.getElementById('ledger-progress');
const barText = document.getElementById('ledger-progress-text');
const box = document.getElementById('ledger-verdict');
const details = document.getElementById('ledger-details');
let controller = null;

function progress(checked, total) {
  bar.hidden = false;
  bar.max = Math.max(total, 1);
  bar.value = checked;
  barText.textContent = msg('progress', { checked, total });
}

async function run() {
  controller = new AbortController();
  start.disabled = true;
  stopButton.disabled = false;
  details.replaceChildren();
  verdict(box, 'running', msg('running'));
  let report;
  try {
    report = await verifyLog({ base, dataUrl: root.dataset.dataUrl, chart, msg, onProgress: progress, signal: controller.signal });
  } catch (error) {
    report = { ok: false, failures: [String(error)], alerts: [], notes: [], cosignatures: [] };
  }
  if (report.ok) {
    const compared = (report.funds || []).some((f) => f.compared);
    verdict(box, 'ok', msg(compared ? 'ok_full' : 'ok_full_no_funds', { count: report.total }));
  } else if (report.stopped) {
    verdict(box, 'stopped', msg('stopped', { checked: report.checked, total: report.total }));
  } else {
    verdict(box, 'fail', `${msg('failed')}：${report.failures[0]}`);
    if (report.failedIndex !== null && report.failedIndex !== undefined) box.dataset.index = String(report.failedIndex);
  }
  describe(report, details, msg);
  for (const f of report.funds || []) {
    item(details, msg(f.compared ? 'funds_line' : 'funds_line_unchecked', { fund: f.code, entries: f.entries }));
  }
  if (report.seconds !== undefined) item(details, msg('seconds', { seconds: report.seconds.toFixed(1) }), 'text-muted');
  box.dataset.checked = String(report.checked || 0);
  if (report.seconds !== undefined) box.dataset.seconds = report.seconds.toFixed(3);
  start.disabled = false;
  stopButton.disabled = true;
  controller = null;
}

start.addEventListener('click', run);
stopButton.addEventListener('click', () => controller && controller.abort());

// --- pins ------------------------------------------------------------------------------------

const operatorInput = document.getElementById('pin-operator');
const witnessInput = document.getElementById('pin-witnesses');
const pinStatus = document.getElementById('pin-status');
const pinAlert = document.getElementById('ledger-pin-alert');

function showPins() {
  operatorInput.value = pins.operator();
  witnessInput.value = pins.witnesses().join('\n');
}

async function savePins(operator, witnesses) {
  const c = await cryptoProvider();
  try {
    if (operator) await parseVerifierKey(c, operator, 0x01, msg);
    for (const w of witnesses) await parseVerifierKey(c, w, 0x04, msg);
  } catch (error) {
    pinStatus.textContent = error.message;
    pinStatus.className = 'small mt-2 text-danger';
    return;
  }
  pins.setOperator(operator);
  pins.setWitnesses(witnesses);
  showPins();
  pinStatus.textContent = msg('pinned_now');
  pinStatus.className = 'small mt-2 text-success';
  await compareWithServed();
}

async function compareWithServed() {
  pinAlert.classList.add('d-none');
  const pinned = pins.operator();
  if (!pinned) return;
  try {
    const served = await getJSON(base + 'public-key.json', msg);
    if (served.verifier_key !== pinned) {
      pinAlert.textContent = msg('operator_key_changed', { pinned, served: served.verifier_key });
      pinAlert.classList.remove('d-none');
    }
  } catch (error) {
    // the full check reports network problems
  }
}

document.getElementById('pin-save').addEventListener('click', () =>
  savePins(
    operatorInput.value.trim(),
    witnessInput.value.split('\n').map((l) => l.trim()).filter(Boolean)
  )
);
document.getElementById('pin-clear').addEventListener('click', () => savePins('', []));
document.getElementById('pin-current').addEventListener('click', async () => {
  const served = await getJSON(base + 'public-key.json', msg);
  const listing = await getJSON(base + 'witnesses.json', msg, { allow404: true });
  await savePins(served.verifier_key, ((listing && listing.witnesses) || []).map((w) => w.verifier_key));
});
showPins();
compareWithServed();
