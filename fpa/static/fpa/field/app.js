/* The field app (/field/, issue 17): a contact person's or village cadre's families, offline.
 *
 * The screens. Storage, encryption and sync are core.js's (FpaFieldCore), shared with the
 * service worker, which syncs on its own when the browser fires Background Sync and no window
 * of the app is open; with a window open it asks the window to sync, so that the user sees the
 * answers. The page's words come from the template (#fpa-field-strings): this file holds no
 * text of its own language.
 *
 * Reveal: the work holds no sensitive value (no ID number, full phone, health notes, cause of
 * death or family kind). A user who may (the family's `can_reveal`) asks for one while online,
 * with a reason (POST /api/v1/field/reveal, audited); the answer is shown in the family's screen
 * and kept nowhere else: not in IndexedDB, not in state.work, gone with the screen.
 */
(function () {
  "use strict";

  const body = document.body;
  const T = JSON.parse(document.getElementById("fpa-field-strings").textContent);
  const STATUSES = JSON.parse(document.getElementById("fpa-field-statuses").textContent);
  const MAX_SIDE = 1600;

  const core = FpaFieldCore.create({ api: body.dataset.api, session: body.dataset.session, idleDays: Number(body.dataset.idleDays) || 0 });
  const { NeedLogin, Ended } = FpaFieldCore;
  const state = Object.assign(core.state, { syncing: false, note: null });
  const { wipe, dropItem, rekey } = core;

  // --- small helpers -------------------------------------------------------------------------

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString();
  }

  function choiceName(list, code) {
    const found = (list || []).find((c) => c.code === code);
    return found ? found.name : code;
  }

  function message(text, kind) {
    const box = document.getElementById("fpa-message");
    if (!text) { box.hidden = true; return; }
    box.className = `alert alert-${kind || "info"} m-2 py-2 small`;
    box.textContent = text;
    box.hidden = false;
  }

  // --- the server -----------------------------------------------------------------------------

  async function register() {
    if (await core.register(navigator.userAgent.slice(0, 100))) return true;
    state.note = { text: T.not_allowed, kind: "warning" };
    return false;
  }

  async function download() {
    if (!(await core.download())) state.note = { text: T.not_allowed, kind: "warning" };
  }

  /** Online start: register the phone if it holds no key, then download its work (and, beside
   *  the download, fetch the session's CSRF token that a later sync will need). */
  async function refresh() {
    if (!state.key && !(await register())) return;
    await Promise.all([core.csrf().catch(() => {}), download()]);
  }

  // --- the queue ------------------------------------------------------------------------------

  function family(id) {
    return ((state.work && state.work.families) || []).find((f) => f.id === id);
  }

  function need(id) {
    for (const f of (state.work && state.work.families) || []) {
      const found = f.open_needs.find((n) => n.id === id);
      if (found) return { family: f, need: found };
    }
    return null;
  }

  function askBackgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register("fpa-field-sync"))
      .catch(() => {});
  }

  async function enqueue(item) {
    await core.enqueue(item);
    askBackgroundSync();
  }

  async function sync() {
    if (state.syncing) return;
    if (!navigator.onLine) { message(T.no_network, "warning"); return; }
    state.syncing = true;
    const button = document.getElementById("fpa-sync");
    button.disabled = true;
    button.textContent = T.syncing;
    try {
      if (!state.key && !(await register())) return;
      const counts = await core.syncQueue();
      message(fmt(T.sync_done, counts), counts.refused || counts.conflict ? "warning" : "success");
    } catch (error) {
      handle(error);
    } finally {
      state.syncing = false;
      button.disabled = false;
      button.textContent = T.sync;
      render();
    }
  }


  function handle(error) {
    if (error instanceof Ended) {
      const box = document.getElementById("fpa-message");
      box.className = "alert alert-danger m-2 py-2 small";
      box.replaceChildren(T.ended, " ", h("button", { type: "button", class: "btn btn-sm btn-outline-danger", text: T.register_again,
        onclick: async () => { message(null); try { await refresh(); } catch (e) { handle(e); } render(); } }));
      box.hidden = false;
    }
    else if (error instanceof NeedLogin) showLogin();
    else if (!navigator.onLine || error instanceof TypeError) message(T.no_network, "warning");
    else message(T.sync_failed, "danger");
  }

  function showLogin() {
    const box = document.getElementById("fpa-message");
    box.className = "alert alert-warning m-2 py-2 small";
    box.replaceChildren(T.need_login, " ", h("a", { href: body.dataset.login, text: T.login }));
    box.hidden = false;
  }

  // --- photos ---------------------------------------------------------------------------------

  /** The photo as a JPEG of at most MAX_SIDE px on its longer side (base64). */
  async function resized(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return { jpeg: btoa(binary), width: canvas.width, height: canvas.height };
  }

  // --- screens --------------------------------------------------------------------------------

  const view = () => document.getElementById("fpa-view");

  function render() {
    const count = state.queue.length;
    document.getElementById("fpa-queue-count").textContent = count ? String(count) : "";
    const route = (location.hash || "#/").slice(2).split("/");
    for (const tab of document.querySelectorAll("[data-tab]")) {
      tab.classList.toggle("active", (route[0] === "queue") === (tab.dataset.tab === "queue"));
    }
    const screens = {
      "": familyList, family: familyCard, visit: visitForm, need: needForm, update: needUpdateForm, edit: editItem, queue: queuePage,
      raise: (familyId, visitKey) => needForm(familyId, null, visitKey),
    };
    const screen = screens[route[0]] || familyList;
    view().replaceChildren(...[].concat(screen(...route.slice(1))));
    if (state.note) { message(state.note.text, state.note.kind); state.note = null; }
  }

  // Festival campaigns: a home visit or a meeting within a campaign's dates counts for it (as
  // on the campaign's page, fpa.families.views.care.VISITS).
  const CAMPAIGN_MODES = ["home_visit", "meeting"];

  function campaignOn(date) {
    return ((state.work && state.work.campaigns) || []).find((c) => c.start_date <= date && date <= c.end_date) || null;
  }

  function counts(kindCode) {
    const kind = ((state.work && state.work.care_kinds) || []).find((k) => k.code === kindCode);
    return Boolean(kind && CAMPAIGN_MODES.includes(kind.mode));
  }

  /** Today's campaign if the family has no visit for it yet (downloaded or waiting to sync). */
  function campaignTodo(f) {
    const campaign = campaignOn(today());
    if (!campaign) return null;
    const within = (v) => counts(v.kind) && campaign.start_date <= v.occurred_on && v.occurred_on <= campaign.end_date;
    const done = f.last_visits.some(within) || state.queue.some((i) => i.type === "care" && i.family === f.id && within(i));
    return done ? null : campaign;
  }

  function pendingFor(familyId) {
    return state.queue.filter((i) => i.family === familyId).length;
  }

  function familyList() {
    if (!state.work) return h("p", { class: "fpa-muted", text: state.key ? T.loading : T.no_work });
    const families = state.work.families.slice().sort((a, b) => (b.due.overdue.length > 0) - (a.due.overdue.length > 0) || a.id - b.id);
    const head = h("p", { class: "fpa-muted", text: fmt(T.downloaded, { count: families.length, time: when(state.work.generated_at) }) });
    const cut = state.work.cut ? h("p", { class: "fpa-late", text: fmt(T.cut, { count: families.length }) }) : null;
    if (!families.length) return [head, h("p", { text: T.no_families })];
    return [head, cut, ...families.map((f) => h("a", { class: "fpa-card", href: `#/family/${f.id}`, "data-family": f.id },
      h("h2", { text: f.head_name }),
      h("div", { class: "fpa-muted", text: `${f.association_name} · ${f.address}` }),
      f.due.overdue.length ? h("div", { class: "fpa-late", text: `${T.overdue}: ${f.due.overdue.join("；")}` }) : null,
      f.open_needs.length ? h("div", { class: "fpa-muted", text: `${T.open_needs}: ${f.open_needs.length}` }) : null,
      campaignTodo(f) ? h("div", { class: "fpa-late fpa-campaign", text: fmt(T.campaign_todo, { name: campaignTodo(f).name }) }) : null,
      pendingFor(f.id) ? h("div", { class: "fpa-muted", text: fmt(T.pending_here, { count: pendingFor(f.id) }) }) : null,
    ))];
  }

  function back(href) {
    return h("a", { class: "btn btn-sm btn-outline-secondary mb-2", href: href || "#/", text: `‹ ${T.back}` });
  }

  function familyCard(id) {
    const f = family(Number(id));
    if (!f) return [back(), h("p", { text: T.family_gone })];
    const work = state.work;
    const list = (items, line) => items.length ? h("ul", { class: "list-unstyled mb-0" }, items.map((x) => h("li", {}, line(x)))) : h("div", { class: "fpa-muted", text: T.none });
    return [
      back(),
      h("div", { class: "fpa-card" },
        h("h2", { text: f.head_name }),
        h("div", {}, `${T.address}: ${f.address}`),
        h("div", { class: "fpa-muted", text: `${f.association_name} (${f.association_code})` }),
        f.due.overdue.length ? h("div", { class: "fpa-late", text: `${T.overdue}: ${f.due.overdue.join("；")}` }) : null,
        campaignTodo(f) ? h("div", { class: "fpa-late fpa-campaign", text: fmt(T.campaign_todo, { name: campaignTodo(f).name }) }) : null,
        h("div", { class: "fpa-actions" },
          h("a", { class: "btn btn-primary", href: `#/visit/${f.id}`, text: T.log_visit }),
          h("a", { class: "btn btn-outline-primary", href: `#/need/${f.id}`, text: T.raise_need }))),
      h("div", { class: "fpa-card" }, h("h3", { text: T.people }),
        list(f.people, (p) => `${p.role_label} ${p.name}${p.phone ? " " + p.phone : ""}${p.deceased ? " (" + T.deceased + ")" : ""}`)),
      h("div", { class: "fpa-card" }, h("h3", { text: T.contacts }),
        list(f.contacts, (c) => `${c.role_name} ${c.name}${c.phone ? " " + c.phone : ""}${c.mine ? " (" + T.mine + ")" : ""}`)),
      ...(f.can_reveal ? [revealCard(f)] : []),
      h("div", { class: "fpa-card" }, h("h3", { text: T.due }),
        h("div", {}, `${T.last_call}: ${f.due.last_call || "—"}`),
        h("div", {}, `${T.last_meeting}: ${f.due.last_meeting || "—"}`),
        h("div", {}, `${T.home_visits}: ${f.due.home_visits_this_year}`)),
      h("div", { class: "fpa-card", id: "fpa-needs" }, h("h3", { text: T.open_needs }),
        list(f.open_needs, (n) => h("div", { class: "d-flex justify-content-between gap-2 align-items-start mb-1" },
          h("span", {}, `${n.description} · ${n.status_label}${n.due_date ? " · " + n.due_date : ""}`),
          h("a", { class: "btn btn-sm btn-outline-primary", href: `#/update/${n.id}`, "data-need": n.id, text: T.update_need })))),
      h("div", { class: "fpa-card" }, h("h3", { text: T.last_visits }),
        list(f.last_visits, (v) => `${v.occurred_on} ${v.kind_name}${v.recorded_by ? " · " + v.recorded_by : ""}` +
          (v.services.length ? " · " + v.services.map((c) => choiceName(work.services, c)).join("、") : "") +
          (v.cares.length ? " · " + v.cares.map((c) => choiceName(work.cares, c)).join("、") : ""))),
      ...state.queue.filter((i) => i.family === f.id).map(queueCard),
    ];
  }

  // --- the reveal on the spot ---------------------------------------------------------------

  // A person's sensitive values, as the family's page offers them; the last two are a child's.
  const PERSON_FIELDS = ["id_number", "phone", "health_notes"];
  const CHILD_FIELDS = ["death_cause", "disability_type"];

  /** What of the family may be asked for: its kind and notes, each person's sensitive values,
   *  each contact's phone (people and contacts named by the ids of the download). */
  function revealChoices(f) {
    const choices = [{ label: T.reveal_kind, ask: { field: "kind" } }, { label: T.reveal_notes, ask: { field: "notes" } }];
    for (const p of f.people) {
      for (const name of PERSON_FIELDS.concat(p.role === "child" ? CHILD_FIELDS : [])) {
        choices.push({ label: `${p.role_label} ${p.name} · ${T["reveal_" + name]}`, ask: { person: p.id, field: name } });
      }
    }
    for (const c of f.contacts) {
      choices.push({ label: `${T.contacts} ${c.role_name} ${c.name} · ${T.reveal_phone}`, ask: { contact: c.id, field: "phone" } });
    }
    return choices;
  }

  /** The card's button and note follow the network (called again by showNet). */
  function revealNet() {
    const button = document.getElementById("reveal-go");
    if (!button) return;
    button.disabled = !navigator.onLine || button.dataset.busy === "yes";
    document.getElementById("reveal-offline").hidden = navigator.onLine;
  }

  function revealCard(f) {
    const choices = revealChoices(f);
    const what = h("select", { class: "form-select", id: "reveal-what", name: "what" },
      choices.map((c, i) => h("option", { value: i, text: c.label })));
    const reason = h("input", { class: "form-control", id: "reveal-reason", name: "reason", maxlength: 200, autocomplete: "off", required: true });
    const button = h("button", { class: "btn btn-outline-danger", type: "submit", id: "reveal-go", text: T.reveal_button, disabled: !navigator.onLine });
    const offline = h("div", { class: "fpa-late", id: "reveal-offline", text: T.reveal_offline, hidden: navigator.onLine });
    const problem = h("div", { class: "alert alert-danger py-2 small mt-2", id: "reveal-error", role: "alert", hidden: true });
    const label = h("div", { class: "fpa-muted", id: "reveal-label" });
    const value = h("div", { class: "fpa-revealed", id: "reveal-value" });
    const shown = h("div", { class: "mt-2", id: "reveal-shown", hidden: true }, label, value,
      h("div", { class: "fpa-muted", text: T.reveal_note }));
    const forget = () => { value.textContent = label.textContent = ""; shown.hidden = true; problem.hidden = true; };
    const refuse = (text) => { forget(); problem.textContent = text; problem.hidden = false; };
    what.addEventListener("change", forget);
    const form = h("form", { class: "fpa-card", id: "fpa-reveal", novalidate: true },
      h("h3", { text: T.reveal }),
      field(T.reveal_what, what), field(T.reveal_reason, reason), offline,
      h("div", { class: "fpa-actions" }, button), problem, shown);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!navigator.onLine) { refuse(T.reveal_offline); return; }
      if (reason.value.trim().length < 2) { refuse(T.reveal_reason_short); return; }
      const choice = choices[Number(what.value)];
      button.dataset.busy = "yes";
      button.disabled = true;
      try {
        const { status, data } = await core.api("POST", "/reveal", Object.assign({ family: f.id, reason: reason.value.trim() }, choice.ask));
        if (status === 200) {
          forget();
          label.textContent = choice.label;
          value.textContent = data.value;
          shown.hidden = false;
        } else refuse((data && data.error && data.error.message) || T.reveal_failed);
      } catch (error) {
        if (error instanceof Ended || error instanceof NeedLogin) { handle(error); render(); return; }
        refuse(!navigator.onLine || error instanceof TypeError ? T.no_network : T.reveal_failed);
      } finally {
        delete button.dataset.busy;
        revealNet();
      }
    });
    return form;
  }

  function field(label, control) {
    return h("div", { class: "mb-3" }, h("label", { class: "form-label", for: control.id, text: label }), control);
  }

  function checks(name, choices, chosen) {
    return h("fieldset", { class: "mb-3" }, h("legend", { class: "form-label fs-6", text: T[name] }),
      choices.map((c) => h("div", { class: "form-check form-check-inline" },
        h("input", { class: "form-check-input", type: "checkbox", name, value: c.code, id: `${name}-${c.code}`, checked: chosen.includes(c.code) }),
        h("label", { class: "form-check-label", for: `${name}-${c.code}`, text: c.name }))));
  }

  function formError(form, text) {
    let box = form.querySelector(".fpa-form-error");
    if (!box) { box = h("div", { class: "alert alert-danger py-2 small fpa-form-error" }); form.prepend(box); }
    box.textContent = text;
  }

  function visitForm(familyId, itemKey) {
    const item = itemKey ? state.queue.find((i) => i.key === itemKey) : null;
    const f = family(Number(familyId));
    if (!f || !state.work) return [back(), h("p", { text: T.family_gone })];
    const photos = item ? state.queue.filter((i) => i.type === "photo" && i.visit_key === item.key) : [];
    const kind = h("select", { class: "form-select", id: "visit-kind", name: "kind", required: true },
      state.work.care_kinds.map((k) => h("option", { value: k.code, selected: item ? item.kind === k.code : false, text: k.name })));
    const date = h("input", { class: "form-control", type: "date", id: "visit-date", name: "occurred_on", value: item ? item.occurred_on : today(), max: today(), required: true });
    const notes = h("textarea", { class: "form-control", id: "visit-notes", name: "notes", rows: 4, maxlength: 2000 });
    notes.value = item ? item.notes : "";
    const campaignNote = h("div", { class: "form-text mb-3", id: "visit-campaign" });
    const showCampaign = () => {
      const campaign = counts(kind.value) ? campaignOn(date.value) : null;
      campaignNote.textContent = campaign ? fmt(T.campaign_counts, { name: campaign.name }) : "";
    };
    kind.addEventListener("change", showCampaign);
    date.addEventListener("change", showCampaign);
    showCampaign();
    const photoInput = h("input", { class: "form-control", type: "file", id: "visit-photos", name: "photos", accept: "image/*", capture: "environment", multiple: true });
    const photoNote = h("div", { class: "fpa-muted", id: "visit-photo-note", text: photos.length ? fmt(T.photos_added, { count: photos.length }) : "" });
    const form = h("form", { class: "fpa-card", id: "visit-form", novalidate: true },
      h("h2", { text: `${T.log_visit}: ${f.head_name}` }),
      field(T.kind, kind),
      checks("services", state.work.services, item ? item.services : []),
      checks("cares", state.work.cares, item ? item.cares : []),
      field(T.date, date), campaignNote,
      field(T.notes, notes),
      field(T.photos, photoInput), photoNote,
      h("div", { class: "fpa-actions" },
        h("button", { class: "btn btn-primary", type: "submit", text: T.save }),
        h("a", { class: "btn btn-outline-secondary", href: item ? "#/queue" : `#/family/${f.id}`, text: T.cancel })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!date.value) { formError(form, `${T.date}: ${T.required}`); return; }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        let visit = item || { key: crypto.randomUUID(), type: "care", family: f.id, base_version: f.version, made_at: new Date().toISOString() };
        if (item) visit = await rekey(item);
        Object.assign(visit, {
          kind: kind.value, occurred_on: date.value, notes: notes.value.trim(),
          services: [...form.querySelectorAll("input[name=services]:checked")].map((i) => i.value),
          cares: [...form.querySelectorAll("input[name=cares]:checked")].map((i) => i.value),
          label: f.head_name,
        });
        await enqueue(visit);
        for (const file of photoInput.files) {
          const photo = await resized(file);
          await enqueue({ key: crypto.randomUUID(), type: "photo", family: f.id, visit_key: visit.key, made_at: new Date().toISOString(), label: f.head_name, jpeg: photo.jpeg, width: photo.width, height: photo.height });
        }
        state.note = { text: T.saved, kind: "success" };
        location.hash = `#/family/${f.id}`;
        render();
      } catch (error) {
        formError(form, T.photo_failed);
        button.disabled = false;
      }
    });
    return [back(`#/family/${f.id}`), form];
  }

  /** A visit's short name in the need form's list: its date and kind. */
  function visitName(item) {
    return `${item.occurred_on} ${choiceName(state.work && state.work.care_kinds, item.kind)}`;
  }

  /** A new need, or a queued one changed; `visitKey` (from a queued visit's "raise a need"
   *  button) links it to that visit, which the server records as the visit it was raised in. */
  function needForm(familyId, itemKey, visitKey) {
    const item = itemKey ? state.queue.find((i) => i.key === itemKey) : null;
    const f = family(Number(familyId));
    if (!f) return [back(), h("p", { text: T.family_gone })];
    const description = h("textarea", { class: "form-control", id: "need-description", name: "description", rows: 3, maxlength: 500, required: true });
    description.value = item ? item.description : "";
    const due = h("input", { class: "form-control", type: "date", id: "need-due", name: "due_date", value: item ? item.due_date || "" : "" });
    const linked = item ? item.visit_key || "" : visitKey || "";
    const visits = state.queue.filter((i) => i.type === "care" && i.family === f.id);
    const options = [h("option", { value: "", text: T.no_visit })].concat(visits.map((v) =>
      h("option", { value: v.key, selected: v.key === linked, text: visitName(v) })));
    if (linked && !visits.some((v) => v.key === linked)) options.push(h("option", { value: linked, selected: true, text: T.synced_visit }));
    const visit = h("select", { class: "form-select", id: "need-visit", name: "visit_key" }, options);
    const form = h("form", { class: "fpa-card", id: "need-form", novalidate: true },
      h("h2", { text: `${T.raise_need}: ${f.head_name}` }),
      field(T.description, description), field(T.due_date, due),
      options.length > 1 ? field(T.raised_in_visit, visit) : null,
      h("div", { class: "fpa-actions" },
        h("button", { class: "btn btn-primary", type: "submit", text: T.save }),
        h("a", { class: "btn btn-outline-secondary", href: item ? "#/queue" : `#/family/${f.id}`, text: T.cancel })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!description.value.trim()) { formError(form, `${T.description}: ${T.required}`); return; }
      let change = item || { key: crypto.randomUUID(), type: "need_raise", family: f.id, base_version: f.version, made_at: new Date().toISOString() };
      if (item) change = await rekey(item);
      Object.assign(change, { description: description.value.trim(), due_date: due.value || null, visit_key: visit.value || null, label: f.head_name });
      await enqueue(change);
      state.note = { text: T.saved, kind: "success" };
      location.hash = `#/family/${f.id}`;
      render();
    });
    return [back(`#/family/${f.id}`), form];
  }

  function needUpdateForm(needId, itemKey) {
    const item = itemKey ? state.queue.find((i) => i.key === itemKey) : null;
    const found = need(Number(needId));
    if (!found && !item) return [back(), h("p", { text: T.family_gone })];
    const n = found ? found.need : { id: item.need, description: item.need_description, status: item.status, updated_at: item.base_updated_at };
    const familyId = found ? found.family.id : item.family;
    const status = h("select", { class: "form-select", id: "need-status", name: "status" },
      STATUSES.map((s) => h("option", { value: s.code, selected: (item ? item.status : n.status) === s.code, text: s.name })));
    const result = h("textarea", { class: "form-control", id: "need-result", name: "result", rows: 3, maxlength: 500 });
    result.value = item ? item.result : "";
    const form = h("form", { class: "fpa-card", id: "need-update-form", novalidate: true },
      h("h2", { text: T.update_need }), h("p", { text: n.description }),
      field(T.status, status), field(T.result, result),
      h("div", { class: "fpa-actions" },
        h("button", { class: "btn btn-primary", type: "submit", text: T.save }),
        h("a", { class: "btn btn-outline-secondary", href: item ? "#/queue" : `#/family/${familyId}`, text: T.cancel })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let change = item || { key: crypto.randomUUID(), type: "need_update", need: n.id, base_updated_at: n.updated_at, family: familyId, made_at: new Date().toISOString() };
      if (item) change = await rekey(item);
      Object.assign(change, { status: status.value, result: result.value.trim(), need_description: n.description, label: found ? found.family.head_name : item.label });
      await enqueue(change);
      state.note = { text: T.saved, kind: "success" };
      location.hash = `#/family/${familyId}`;
      render();
    });
    return [back(`#/family/${familyId}`), form];
  }

  function editItem(key) {
    const item = state.queue.find((i) => i.key === key);
    if (!item) return queuePage();
    if (item.type === "care") return visitForm(item.family, key);
    if (item.type === "need_raise") return needForm(item.family, key);
    if (item.type === "need_update") return needUpdateForm(item.need, key);
    return queuePage();
  }

  function describe(item) {
    const work = state.work || {};
    if (item.type === "care") {
      return [item.occurred_on, choiceName(work.care_kinds, item.kind),
        item.services.map((c) => choiceName(work.services, c)).join("、"),
        item.cares.map((c) => choiceName(work.cares, c)).join("、"), item.notes].filter(Boolean).join(" · ");
    }
    if (item.type === "need_raise") {
      const visit = item.visit_key ? state.queue.find((i) => i.key === item.visit_key) : null;
      const raised = item.visit_key ? (visit ? `${T.raised_in_visit}: ${visitName(visit)}` : T.raised_in_visit) : null;
      return [item.description, item.due_date, raised].filter(Boolean).join(" · ");
    }
    if (item.type === "need_update") return [item.need_description, choiceName(STATUSES, item.status), item.result].filter(Boolean).join(" · ");
    return `${item.width}×${item.height} JPEG`;
  }

  function currentVersion(current) {
    if (current.need) {
      const n = current.need;
      return [n.description, n.status_label, n.result, when(n.updated_at)].filter(Boolean).join(" · ");
    }
    if (current.family) {
      const f = current.family;
      return [f.head_name, f.status_label, f.address].filter(Boolean).join(" · ");
    }
    return JSON.stringify(current);
  }

  async function resubmit(item) {
    const current = (item.answer && item.answer.current) || {};
    await rekey(item);
    if (current.need) item.base_updated_at = current.need.updated_at;
    if (current.family) item.base_version = current.family.version;
    await enqueue(item);
    render();
    await sync();
  }

  async function discard(item) {
    if (!confirm(T.discard_confirm)) return;
    for (const photo of state.queue.filter((i) => i.type === "photo" && i.visit_key === item.key)) await dropItem(photo);
    for (const raised of state.queue.filter((i) => i.type === "need_raise" && i.visit_key === item.key)) {
      raised.visit_key = null;
      await core.saveItem(raised);
    }
    await dropItem(item);
    render();
  }

  function queueCard(item) {
    const answer = item.answer || {};
    const label = item.state === "waiting" ? (item.sent ? T.sent : core.held(item) ? T.waits_for_visit : T.waiting) : T[item.state];
    const card = h("div", { class: `fpa-card fpa-state-${item.state}`, "data-key": item.key, "data-state": item.state },
      h("h3", {}, `${T["type_" + item.type]} · ${item.label || ""}`),
      h("div", { text: describe(item) }),
      h("div", { class: "fpa-muted", text: `${T.made_at} ${when(item.made_at)} · ${label}` }));
    if (item.state === "refused") {
      const fields = Object.values(answer.fields || {}).flat();
      card.append(h("div", { class: "fpa-late fpa-reason", text: [answer.message, ...fields.filter((m) => m !== answer.message)].filter(Boolean).join(" ") }));
    }
    if (item.state === "conflict") {
      card.append(h("div", { class: "fpa-late fpa-reason", text: answer.message || "" }),
        h("div", { class: "fpa-versions" },
          h("div", { class: "fpa-mine" }, h("strong", { text: T.mine_version }), h("div", { text: describe(item) })),
          h("div", { class: "fpa-current" }, h("strong", { text: T.current_version }), h("div", { text: currentVersion(answer.current || {}) }))));
    }
    const actions = h("div", { class: "fpa-actions" });
    if (item.state === "conflict") actions.append(h("button", { type: "button", class: "btn btn-primary btn-sm fpa-resubmit", text: T.resubmit, onclick: () => resubmit(item) }));
    if (item.type !== "photo" && !(item.state === "waiting" && item.sent)) actions.append(h("a", { class: "btn btn-outline-primary btn-sm fpa-edit", href: `#/edit/${item.key}`, text: T.edit }));
    if (item.type === "care" && item.state === "waiting") actions.append(h("a", { class: "btn btn-outline-primary btn-sm fpa-raise-here", href: `#/raise/${item.family}/${item.key}`, text: T.raise_here }));
    actions.append(h("button", { type: "button", class: "btn btn-outline-danger btn-sm fpa-discard", text: T.discard, onclick: () => discard(item) }));
    card.append(actions);
    return card;
  }

  function queuePage() {
    if (!state.queue.length) return h("p", { class: "fpa-muted", id: "fpa-queue-empty", text: T.queue_empty });
    return [h("button", { type: "button", class: "btn btn-primary mb-3 w-100", text: T.sync, onclick: sync }), ...state.queue.map(queueCard)];
  }

  // --- network, service worker, sign-out ------------------------------------------------------

  function showNet() {
    const badge = document.getElementById("fpa-net");
    badge.textContent = navigator.onLine ? T.online : T.offline;
    badge.className = `badge ${navigator.onLine ? "text-bg-success" : "text-bg-secondary"}`;
    revealNet();
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).then((registration) => {
      const announce = () => {
        const box = document.getElementById("fpa-update");
        box.textContent = T.update_ready;
        box.hidden = false;
      };
      if (registration.waiting && navigator.serviceWorker.controller) announce();
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", () => {
          if (worker.state === "installed" && navigator.serviceWorker.controller) announce();
        });
      });
    }).catch(() => {});
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "fpa-field-sync" && state.queue.length) sync();
    });
  }

  async function logout() {
    const count = state.queue.length;
    if (count && !confirm(fmt(T.logout_confirm, { count }))) return;
    let token = null;
    state.csrf = null; // the sign-out form wants the session's current token
    try { token = await core.csrf(); } catch (error) { token = null; }
    await wipe(false);
    if (!token) { message(T.wiped, "info"); location.href = body.dataset.login; return; }
    const form = h("form", { method: "post", action: body.dataset.logout },
      h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: token }));
    document.body.append(form);
    form.submit();
  }

  async function wipeHere() {
    if (!confirm(T.wipe_confirm)) return;
    if (state.device && navigator.onLine) {
      try { await core.api("POST", `/devices/${state.device}/end`, {}); } catch (error) { /* wiped below anyway */ }
    }
    await wipe();
    message(T.wiped, "info");
    render();
  }

  async function start() {
    showNet();
    registerWorker();
    window.addEventListener("online", () => { showNet(); if (core.waiting().length) sync(); });
    window.addEventListener("offline", showNet);
    window.addEventListener("hashchange", () => { message(null); render(); window.scrollTo(0, 0); });
    document.getElementById("fpa-sync").addEventListener("click", sync);
    document.getElementById("fpa-logout").addEventListener("click", logout);
    document.getElementById("fpa-wipe").addEventListener("click", wipeHere);
    await core.open();
    await core.saveConfig();
    await core.load();
    if (state.idleWiped) state.note = { text: fmt(T.idle_wiped, { days: body.dataset.idleDays }), kind: "warning" };
    render();
    body.dataset.ready = "offline";
    if (navigator.onLine) {
      try {
        await refresh();
      } catch (error) {
        handle(error);
      }
      render();
    }
    body.dataset.ready = "yes";
  }

  start();
})();
