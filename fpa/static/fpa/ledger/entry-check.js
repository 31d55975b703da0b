// transparency/_entry_check.html: one entry's inclusion against the latest (cosigned) checkpoint,
// and "has the log only grown since the checkpoint I saved?".

import { b64encode, checkEntry, checkGrowth, parseNote, pins, yuan } from './core.js';
import { describe, item, messages, verdict } from './ui.js';

const msg = messages();

function amount(entry) {
  let debit = 0;
  for (const line of entry.lines) {
    const [y, f] = line.debit.split('.');
    debit += Number(y) * 100 + Number(f);
  }
  return yuan(debit);
}

async function setUp(card) {
  const base = card.dataset.base;
  const index = Number(card.dataset.index);
  const box = card.querySelector('.entry-verdict');
  const details = card.querySelector('.entry-details');
  const savedLine = card.querySelector('.entry-saved');
  const growthBox = card.querySelector('.entry-growth-verdict');
  let latestNote = null;

  const showSaved = () => {
    const saved = pins.saved();
    savedLine.textContent = saved ? msg('saved_line', { size: saved.size, time: saved.time }) : '';
  };
  showSaved();

  card.querySelector('.entry-save').addEventListener('click', () => {
    if (!latestNote) return;
    const parsed = parseNote(latestNote, msg);
    pins.save({ note: latestNote, size: parsed.size, time: parsed.time, root: b64encode(parsed.root) });
    showSaved();
    verdict(growthBox, 'ok', msg('saved', { size: parsed.size, time: parsed.time }));
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([latestNote], { type: 'text/plain' }));
    link.download = `checkpoint-${parsed.size}.txt`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  const growth = async (note) => {
    verdict(growthBox, 'running', msg('running'));
    let result;
    try {
      result = await checkGrowth({ base, note, msg });
    } catch (error) {
      result = { ok: false, failures: [String(error)] };
    }
    if (result.ok) verdict(growthBox, 'ok', msg('growth_ok', { old: result.old.size, now: result.total }));
    else verdict(growthBox, 'fail', `${msg('failed')}：${result.failures[0]}`);
  };
  card.querySelector('.entry-growth').addEventListener('click', () => {
    const saved = pins.saved();
    if (!saved) verdict(growthBox, 'fail', msg('no_saved'));
    else growth(saved.note);
  });
  card.querySelector('.entry-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (file) growth(await file.text());
  });

  let report;
  try {
    report = await checkEntry({ base, index, msg });
  } catch (error) {
    report = { ok: false, failures: [String(error)], alerts: [], notes: [], cosignatures: [] };
  }
  if (report.ok) {
    verdict(box, 'ok', msg('ok_entry'));
    if (report.entry) {
      const e = report.entry;
      item(details, msg('entry_line', { number: e.number, date: e.date, kind: msg('kind_' + e.kind), amount: amount(e) }));
    }
    item(details, msg('leaf_hash_line', { hash: report.leafHash }), 'font-monospace');
    latestNote = report.checkpoint.note;
    card.querySelector('.entry-save').disabled = false;
  } else {
    verdict(box, 'fail', `${msg('failed')}：${report.failures[0]}`);
  }
  describe(report, details, msg);
  if (report.seconds !== undefined) box.dataset.seconds = report.seconds.toFixed(3);
}

for (const card of document.querySelectorAll('.ledger-entry-check')) setUp(card);
