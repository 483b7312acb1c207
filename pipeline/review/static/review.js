// shoko review: link values and boxes, sort tables, save and undo corrections.
(function () {
  "use strict";
  const main = document.querySelector("main.doc");
  if (!main) return;
  const docId = main.dataset.docId;
  const banner = document.getElementById("banner");
  const rowOf = (uid) => document.getElementById("row-" + uid);
  const boxOf = (uid) => document.getElementById("box-" + uid);

  function say(text, ok) {
    banner.textContent = text;
    banner.className = "banner" + (ok ? " ok" : "");
    banner.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { banner.hidden = true; }, ok ? 2500 : 8000);
  }

  function select(uid, from) {
    document.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
    const row = rowOf(uid), box = boxOf(uid);
    if (row) row.classList.add("active");
    if (box) box.classList.add("active");
    if (from !== "box" && box) box.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    else if (from !== "box" && row && row.dataset.page) {
      const page = document.getElementById("page-" + row.dataset.page);
      if (page) page.scrollIntoView({ block: "start", inline: "nearest", behavior: "instant" });
    }
    if (from === "box" && row) row.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
  }

  function visible(el, pane) {
    const r = el.getBoundingClientRect(), p = pane.getBoundingClientRect();
    return r.bottom > p.top && r.top < p.bottom && r.right > p.left && r.left < p.right;
  }

  // Hovering highlights at once and, after a short dwell (so sweeping the mouse over
  // the table does not make the pages jump), scrolls the other side to the value.
  function hover(uid, on, from) {
    const row = rowOf(uid), box = boxOf(uid);
    if (row) row.classList.toggle("hover", on);
    if (box) box.classList.toggle("hover", on);
    clearTimeout(hover.timer);
    if (!on) return;
    hover.timer = setTimeout(() => {
      const target = from === "box" ? row : box;
      const pane = document.getElementById(from === "box" ? "values" : "pages");
      if (target && !visible(target, pane)) target.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    }, 400);
  }

  document.querySelectorAll(".box").forEach((box) => {
    box.addEventListener("click", () => select(box.dataset.uid, "box"));
    box.addEventListener("mouseenter", () => hover(box.dataset.uid, true, "box"));
    box.addEventListener("mouseleave", () => hover(box.dataset.uid, false, "box"));
  });
  document.querySelectorAll("table.vals tbody tr").forEach((row) => {
    row.addEventListener("click", (event) => {
      if (event.target.closest("input, button")) return;
      select(row.dataset.uid, "row");
    });
    row.addEventListener("mouseenter", () => hover(row.dataset.uid, true, "row"));
    row.addEventListener("mouseleave", () => hover(row.dataset.uid, false, "row"));
  });

  // wider pages for small print; the sharper rendering once they are drawn larger
  document.getElementById("zoom").addEventListener("change", (event) => {
    const percent = parseInt(event.target.value, 10);
    document.getElementById("pages").style.setProperty("--page-width", percent + "%");
    document.querySelectorAll(".page img").forEach((img) => {
      const url = new URL(img.src);
      if (percent > 150) url.searchParams.set("zoom", "3"); else url.searchParams.delete("zoom");
      if (url.href !== img.src) img.src = url.href;
    });
    const active = document.querySelector(".box.active");
    if (active) active.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
  });

  document.getElementById("only-look").addEventListener("change", (event) => {
    document.body.classList.toggle("only-look", event.target.checked);
  });

  // sort a values table by a column (click its header again to reverse)
  document.querySelectorAll("table.vals th[data-sort]").forEach((th) => {
    th.addEventListener("click", () => {
      const table = th.closest("table"), body = table.tBodies[0];
      const index = [...th.parentNode.children].indexOf(th);
      const reverse = th.dataset.dir === "asc";
      th.dataset.dir = reverse ? "desc" : "asc";
      const read = (row) => {
        const cell = row.children[index];
        const text = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        const number = parseFloat(text);
        return isNaN(number) ? [1, text] : [0, number];
      };
      const rows = [...body.rows].sort((a, b) => {
        const x = read(a), y = read(b);
        const order = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
        return reverse ? -order : order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });

  async function post(url, body) {
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                        body: JSON.stringify(body || {}) });
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function markRow(row) {
    const corrected = row.querySelector("td.fixed") !== null;
    row.classList.toggle("corrected", corrected);
    const box = boxOf(row.dataset.uid);
    if (box) box.classList.toggle("corrected", corrected);
  }

  function addUndo(row, column, id) {
    const cellUndo = row.querySelector("td.undo");
    cellUndo.querySelectorAll(`button[data-col="${column}"]`).forEach((b) => b.remove());
    const button = document.createElement("button");
    button.type = "button";
    button.className = "undo-btn";
    button.dataset.correction = id;
    button.dataset.col = column;
    button.textContent = "undo " + column;
    button.title = "undo correction #" + id + " of " + column;
    cellUndo.appendChild(button);
  }

  function edit(td) {
    if (td.querySelector("input")) return;
    const row = td.closest("tr"), before = td.textContent.trim();
    const input = document.createElement("input");
    input.value = before;
    td.textContent = "";
    td.appendChild(input);
    input.focus();
    input.select();
    let done = false;
    const finish = async (save) => {
      if (done) return;
      done = true;
      const value = input.value.trim();
      if (!save || value === before) { td.textContent = before; return; }
      td.textContent = value;
      try {
        const result = await post("/api/corrections", { doc_id: docId, table: row.dataset.table,
          key: JSON.parse(row.dataset.key), column: td.dataset.col, value: value });
        row.dataset.key = JSON.stringify(result.key);
        td.classList.add("fixed");
        td.dataset.correction = result.id;
        td.dataset.extracted = result.extracted === null ? "" : result.extracted;
        td.title = "extracted: " + (result.extracted === null ? "(empty)" : result.extracted) +
                   " · correction #" + result.id + " · double-click to correct";
        addUndo(row, td.dataset.col, result.id);
        markRow(row);
        say("saved correction #" + result.id + ": " + td.dataset.col + " " +
            (result.extracted === null ? "(empty)" : result.extracted) + " → " + (value || "(empty)"), true);
      } catch (error) {
        td.textContent = before;
        say("not saved: " + error.message);
      }
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); finish(false); }
    });
    input.addEventListener("blur", () => finish(false));
  }

  document.querySelectorAll("table.vals").forEach((table) => {
    table.addEventListener("dblclick", (event) => {
      const td = event.target.closest("td.editable");
      if (td) edit(td);
    });
    table.addEventListener("click", async (event) => {
      const button = event.target.closest("button.undo-btn");
      if (!button) return;
      const row = button.closest("tr");
      try {
        const result = await post(`/api/corrections/${button.dataset.correction}/undo`);
        const td = row.querySelector(`td[data-col="${button.dataset.col}"]`);
        td.textContent = result.value === null ? "" : result.value;
        td.classList.remove("fixed");
        delete td.dataset.correction;
        td.title = "double-click to correct";
        row.dataset.key = JSON.stringify(result.key);
        button.remove();
        markRow(row);
        say("undone correction #" + result.id, true);
      } catch (error) {
        say("not undone: " + error.message);
      }
    });
  });
})();
