/* The site's shared script: draws the Plotly charts from their inline JSON, makes tables sortable,
   writes CSV downloads from the tables under the charts, filters tables and switches year tabs.
   No network access of any kind: everything it needs is in the page or in assets/. */
(function () {
  "use strict";

  var LOCALE = {
    moduleType: "locale", name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放", "Box Select": "矩形选择", "Click to enter Colorscale title": "点击输入色标标题",
      "Click to enter X axis title": "点击输入 X 轴标题", "Click to enter Y axis title": "点击输入 Y 轴标题",
      "Compare data on hover": "悬停时比较数据", "Double-click on legend to isolate one trace": "双击图例只显示该项",
      "Double-click to zoom back out": "双击还原", "Download plot as a png": "下载图片（PNG）",
      "Download plot": "下载图片", "Lasso Select": "套索选择", "Pan": "平移", "Produced with Plotly": "Plotly 生成",
      "Reset axes": "还原坐标轴", "Reset view": "还原视图", "Show closest data on hover": "悬停时显示最近数据",
      "Snapshot succeeded": "已生成图片", "Sorry, there was a problem downloading your snapshot!": "抱歉，下载图片时出错",
      "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候", "Toggle Spike Lines": "显示/隐藏辅助线",
      "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小", "trace": "系列"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d", decimal: ".", thousands: ","
    }
  };
  var CONFIG = {
    responsive: true, displaylogo: false, locale: "zh-CN", displayModeBar: "hover",
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines",
                             "hoverClosestCartesian", "hoverCompareCartesian"],
    toImageButtonOptions: {format: "png", scale: 2}
  };
  var registered = false;

  /* Text for Plotly labels: Plotly renders some HTML tags in labels, entities stay literal. */
  function esc(s) {
    return String(s == null ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* The toolbar stands upright in the chart's right margin, clear of the legend above the plot
     (a horizontal toolbar lies over the legend's last entries) and of the plot itself. */
  function roomForToolbar(layout) {
    layout.modebar = {orientation: "v", bgcolor: "rgba(255,255,255,0.9)"};
    layout.margin = layout.margin || {};
    layout.margin.r = Math.max(layout.margin.r || 0, 40);
    if (layout.legend && layout.showlegend !== false) { layout.legend.x = 0; layout.legend.xanchor = "left"; }
    return layout;
  }

  function plot(el, fig) {
    if (!window.Plotly) { el.textContent = "图表库未能加载（assets/plotly.min.js）。数据见下方数据表。"; return; }
    if (!registered) { window.Plotly.register(LOCALE); registered = true; }
    window.Plotly.react(el, fig.data, roomForToolbar(fig.layout || {}), CONFIG);
  }

  /* A figure written without the layout every chart shares and with its traces' common x once
     (pipelines/site/charts.py compact): both put back from assets/organ.js. */
  function expand(fig) {
    if (!fig.base) { return fig; }
    var layout = JSON.parse(JSON.stringify((window.GONGKAI_ORGAN || {}).layout || {}));
    Object.keys(fig.layout).forEach(function (k) { layout[k] = fig.layout[k]; });
    fig.data.forEach(function (t) { if (t.x === undefined) { t.x = fig.x; } });
    return {data: fig.data, layout: layout};
  }

  function drawCharts(root) {
    (root || document).querySelectorAll(".chart[data-spec]").forEach(function (el) {
      if (el.dataset.drawn || el.offsetParent === null) { return; }
      var spec = document.getElementById(el.dataset.spec);
      if (!spec) { return; }
      el.dataset.drawn = "1";
      plot(el, expand(JSON.parse(spec.textContent)));
    });
  }

  /* --- tables ------------------------------------------------------------------------------ */

  function cellValue(td) {
    return td.hasAttribute("data-v") ? td.getAttribute("data-v") : td.textContent.trim();
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var xn = a !== "" && isFinite(a) && !isNaN(x), yn = b !== "" && isFinite(b) && !isNaN(y);
    if (xn && yn) { return x - y; }
    if (xn !== yn) { return xn ? -1 : 1; }  // numbers before empty cells, whichever the direction
    return a.localeCompare(b, "zh-Hans-CN");
  }

  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(cellValue(r1.cells[col]), cellValue(r2.cells[col]));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }

  function makeSortable(table) {
    if (table.dataset.sortable) { return; }
    table.dataset.sortable = "1";
    table.addEventListener("click", function (ev) {
      var th = ev.target.closest("th");
      if (!th || !table.tHead.contains(th)) { return; }
      sortBy(table, th.cellIndex, th);
    });
    table.addEventListener("keydown", function (ev) {
      var th = ev.target.closest("th");
      if (th && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); sortBy(table, th.cellIndex, th); }
    });
  }

  function csvField(s) {
    s = String(s);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /* The CSV of a table as shown: header row, then every data row (hidden filter rows left out). */
  function tableCsv(table) {
    var lines = [];
    var legend = table.dataset.legend ? JSON.parse(document.getElementById(table.dataset.legend).textContent) : {};
    var value = function (c) {
      var v = cellValue(c);
      return Object.prototype.hasOwnProperty.call(legend, v) ? legend[v] : v;
    };
    var asOf = document.body.getAttribute("data-as-of") || "";
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (head) {
      lines.push(Array.prototype.map.call(head.cells, function (c) { return csvField(c.textContent.trim()); })
        .concat(["数据截至"]).join(","));
    }
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      if (r.hidden) { return; }
      lines.push(Array.prototype.map.call(r.cells, function (c) { return csvField(value(c)); })
        .concat([csvField(asOf)]).join(","));
    });
    // The byte-order mark makes Excel read the file as UTF-8, so Chinese text is not garbled.
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  /* The file name of a table's CSV: as the page names it, with the text its filter box holds. */
  function csvName(table, name) {
    var input = document.querySelector("input[data-filter-table='" + table.id + "']");
    var q = input ? input.value.trim().replace(/[\\/:*?"<>|\s]+/g, "") : "";
    return q ? name.replace(/\.csv$/, "") + "_查找" + q.slice(0, 20) + ".csv" : name;
  }

  function download(name, text) {
    var url = URL.createObjectURL(new Blob([text], {type: "text/csv;charset=utf-8"}));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function filterTable(input) {
    var table = document.getElementById(input.dataset.filterTable);
    var only = input.dataset.onlyFlag ? document.getElementById(input.dataset.onlyFlag) : null;
    var q = input.value.trim();
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var ok = (!q || r.textContent.indexOf(q) >= 0) && (!only || !only.checked || r.dataset.flag === "1");
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var counter = input.dataset.counter && document.getElementById(input.dataset.counter);
    if (counter) { counter.textContent = String(shown); }
  }

  /* A published year in the coverage grid opens that year of the organ's page (the row's link). */
  function yearLinks(table) {
    table.addEventListener("click", function (ev) {
      var td = ev.target.closest("td.cov.ok, td.cov.bad, td.cov.part");
      if (!td) { return; }
      var link = td.parentNode.querySelector("a");
      var year = table.tHead.rows[0].cells[td.cellIndex].textContent.trim();
      if (link) { location.href = link.getAttribute("href") + "#y" + year; }
    });
  }

  /* --- the view in the URL ------------------------------------------------------------------ */

  /* Filters and tabs live in the hash as key=value pairs (#year=2023&metric=denied_share), so that a
     link restores the view; a plain anchor (#y2024, #findings) is left alone. */
  function readState() {
    var h = location.hash.replace(/^#/, "");
    var out = {};
    if (h.indexOf("=") < 0) { return out; }
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) {
        try { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* a mangled link */ }
      }
    });
    return out;
  }

  function writeState(changes) {
    var st = readState();
    Object.keys(changes).forEach(function (k) {
      if (changes[k] === "" || changes[k] === null || changes[k] === undefined) { delete st[k]; } else { st[k] = String(changes[k]); }
    });
    var h = Object.keys(st).sort().map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(st[k]); }).join("&");
    var anchor = /^#[^=]*$/.test(location.hash) ? location.hash : "";
    history.replaceState(null, "", location.pathname + location.search + (h ? "#" + h : anchor));
    updateCite();
  }

  function updateCite() {
    var span = document.querySelector("#cite .cite-url");
    if (span) { span.textContent = location.href; }
  }

  function setupCite() {
    updateCite();
    var b = document.querySelector("#cite .copy-cite");
    if (!b || !navigator.clipboard) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(document.getElementById("cite").firstChild.textContent.trim() + location.href)
        .then(function () { b.textContent = "已复制"; }, function () { b.textContent = "请手动复制"; });
    });
  }

  /* --- search in the header ------------------------------------------------------------------ */

  var SHORT = /^(.{2,})[省市区县旗盟州]$/;

  function placeForms(p) {
    var m = SHORT.exec(p);
    return m ? [p, m[1]] : [p];
  }

  /* Strip the places of `chain` from the front of `text`, in order; returns [rest, deepest index]. */
  function stripPlaces(text, chain) {
    var rest = text, deepest = -1;
    for (var i = 0; i < chain.length; i++) {
      var forms = placeForms(chain[i]);
      for (var j = 0; j < forms.length; j++) {
        if (rest.indexOf(forms[j]) === 0 && rest.length > forms[j].length) { rest = rest.slice(forms[j].length); deepest = i; break; }
      }
    }
    return [rest, deepest];
  }

  /* How well an organ matches (lower is better), or -1. */
  function organRank(o, q, R) {
    var name = o[0], region = o[2] >= 0 ? R[o[2]] : null, chain = region ? region[2] : [];
    if (name === q) { return 0; }
    if (name.indexOf(q) === 0) { return 1; }
    if (name.indexOf(q) >= 0 || (o[4] && o[4].indexOf(q) >= 0)) { return 2; }
    var qs = stripPlaces(q, chain);
    if (qs[1] >= 0) {
      var ns = stripPlaces(name, chain);
      // what follows the places must begin the name (大丰区人民政府, not 港店镇人民政府 in 大丰区)
      if (qs[1] >= ns[1] && ns[0].indexOf(qs[0]) === 0) { return 2; }
    }
    if (region && region[0].indexOf(q) >= 0) { return 4; }
    if (/^[a-z0-9]+$/.test(q) && o[3].indexOf(q) >= 0) { return 3; }
    return -1;
  }

  var waiting = [];

  /* The index, loaded once, the first time it is wanted (a script, so that file:// folders work). */
  function searchIndex(input, done) {
    if (window.GONGKAI_SEARCH) { done(window.GONGKAI_SEARCH); return; }
    waiting.push(done);
    if (input.dataset.loading) { return; }
    input.dataset.loading = "1";
    var s = document.createElement("script");
    s.src = input.dataset.index;
    s.onload = function () {
      var todo = waiting;
      waiting = [];
      todo.forEach(function (f) { f(window.GONGKAI_SEARCH); });
    };
    document.head.appendChild(s);
  }

  function runSearch(input, list) {
    var q = input.value.replace(/\s+/g, "").toLowerCase();
    var root = document.body.getAttribute("data-root") || "";
    list.textContent = "";
    if (!q) { list.hidden = true; return; }
    searchIndex(input, function (ix) {
      if (input.value.replace(/\s+/g, "").toLowerCase() !== q) { return; }
      var found = [];
      ix.regions.forEach(function (r) {
        var hit = r[0].indexOf(q) >= 0 || r[2].some(function (p) { return placeForms(p).indexOf(q) >= 0; }) ||
          (/^[a-z0-9]+$/.test(q) && r[3].indexOf(q) >= 0);
        if (hit) { found.push({rank: r[2][r[2].length - 1] === q ? 0 : 1, text: r[0], note: "地区", href: root + r[1]}); }
      });
      ix.organs.forEach(function (o, i) {
        var rank = organRank(o, q, ix.regions);
        if (rank >= 0) { found.push({rank: rank, order: i, text: o[0], note: o[2] >= 0 ? ix.regions[o[2]][0] : "", href: root + o[1]}); }
      });
      found.sort(function (a, b) { return a.rank - b.rank || (a.order || 0) - (b.order || 0); });
      list.textContent = "";
      found.slice(0, 12).forEach(function (f, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = f.href;
        a.textContent = f.text;
        li.appendChild(a);
        if (f.note) { var small = document.createElement("small"); small.textContent = f.note; li.appendChild(small); }
        if (i === 0) { li.className = "active"; }
        list.appendChild(li);
      });
      if (!found.length) { var none = document.createElement("li"); none.className = "none"; none.textContent = "没有找到"; list.appendChild(none); }
      else if (found.length > 12) { var more = document.createElement("li"); more.className = "none"; more.textContent = "另有 " + (found.length - 12) + " 个，请输入更多文字"; list.appendChild(more); }
      list.hidden = false;
    });
  }

  function setupSearch() {
    var input = document.getElementById("site-search"), list = document.getElementById("site-search-results");
    if (!input || !list) { return; }
    input.addEventListener("focus", function () { searchIndex(input, function () {}); });
    input.addEventListener("input", function () { runSearch(input, list); });
    input.addEventListener("keydown", function (ev) {
      var items = Array.prototype.slice.call(list.querySelectorAll("li[role=option]"));
      var at = items.findIndex(function (li) { return li.classList.contains("active"); });
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!items.length) { return; }
        if (at >= 0) { items[at].classList.remove("active"); }
        at = ev.key === "ArrowDown" ? Math.min(items.length - 1, at + 1) : Math.max(0, at - 1);
        items[at].classList.add("active");
      } else if (ev.key === "Enter" && at >= 0) {
        ev.preventDefault();
        location.href = items[at].querySelector("a").href;
      } else if (ev.key === "Escape") { list.hidden = true; }
    });
    document.addEventListener("click", function (ev) { if (!ev.target.closest(".site-search")) { list.hidden = true; } });
  }

  /* --- year tabs on organ pages ------------------------------------------------------------ */

  /* The tables of a year other than the latest: its compact cells (pipelines/site/tables.py encode)
     filled into the empty tables of its format (assets/organ.js), drawn as the latest year's are. */
  function drawReportTables(panel) {
    var shared = window.GONGKAI_ORGAN;
    panel.querySelectorAll(".report-tables[data-cells]").forEach(function (box) {
      var data = document.getElementById(box.dataset.cells);
      var skeleton = shared && shared.tables[box.dataset.format];
      if (box.dataset.drawn || !skeleton || !data) { return; }
      box.dataset.drawn = "1";
      box.innerHTML = skeleton;
      var cells = JSON.parse(data.textContent), year = box.dataset.year;
      box.querySelectorAll("table.report-table td").forEach(function (td, i) {
        var c = cells[i];
        if (c === null || c === undefined) { return; }  // a cell the report does not have: as drawn
        if (c === 0) { c = ["", shared.blank[0], shared.blank[1], []]; }
        else if (typeof c === "string") { c = [c, "", "", []]; }
        td.removeAttribute("class");
        td.removeAttribute("title");
        if (c[1]) { td.className = c[1]; }
        if (c[2]) { td.title = c[2]; }
        td.textContent = c[0];
        if (c[3].length) {
          var sup = document.createElement("sup");
          c[3].forEach(function (n, k) {
            if (k) { sup.appendChild(document.createTextNode(",")); }
            var a = document.createElement("a");
            a.href = "#f" + year + "-" + n;
            a.textContent = String(n);
            sup.appendChild(a);
          });
          td.appendChild(sup);
        }
      });
    });
  }

  /* The site's years after the organ's latest report (up to the last it must report, if any): missing,
     drawn here so that a new statistics year does not change every organ page. */
  function addMissingYears(tabs) {
    var shared = window.GONGKAI_ORGAN, last = parseInt(tabs.dataset.last, 10), until = parseInt(tabs.dataset.until, 10);
    var panels = document.querySelectorAll(".year-panel");
    if (!shared || !last || !panels.length) { return; }
    var after = panels[panels.length - 1];
    // its last expected year that was due missing: it stopped reporting (mart_coverage.organ_status
    // 'stopped'); the years after shared.closed are still being reported
    var latest = Math.max.apply(null, shared.years), facts = document.querySelector("dl.facts");
    if (shared.closed) { latest = Math.min(latest, shared.closed); }
    if (last < (until ? Math.min(until, latest) : latest) && facts) {
      var div = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = "报告情况";
      dd.textContent = "已不再发布";
      div.appendChild(dt);
      div.appendChild(dd);
      facts.appendChild(div);
    }
    shared.years.forEach(function (y) {
      if (y <= last || (until && y > until)) { return; }
      var t = document.createElement("a"), small = document.createElement("small");
      t.href = "#y" + y;
      t.setAttribute("role", "tab");
      t.setAttribute("aria-controls", "y" + y);
      t.dataset.year = String(y);
      var open = shared.closed && y > shared.closed;  // its reports are still coming in
      t.className = open ? "tab" : "tab tab-miss";
      t.textContent = String(y);
      small.textContent = open ? "未到期" : "缺报";
      t.appendChild(small);
      tabs.appendChild(t);
      var s = document.createElement("section"), h = document.createElement("h3"), p = document.createElement("p");
      s.className = "year-panel";
      s.id = "y" + y;
      s.setAttribute("role", "tabpanel");
      h.textContent = y + " 年度报告";
      p.className = "empty";
      p.textContent = open
        ? y + " 年度报告的期限（次年 1 月 31 日）还没到，这个机关的报告尚未入库。"
        : y + " 年度没有这个机关的报告（未发布，或尚未入库）。";
      s.appendChild(h);
      s.appendChild(p);
      after.parentNode.insertBefore(s, after.nextSibling);
      after = s;
    });
  }

  function showYear(tabs, year) {
    var found = false;
    tabs.querySelectorAll("[role=tab]").forEach(function (t) {
      var on = t.dataset.year === year, panel = document.getElementById(t.getAttribute("aria-controls"));
      found = found || on;
      t.setAttribute("aria-selected", on ? "true" : "false");
      panel.hidden = !on;
      if (on) { drawReportTables(panel); }
    });
    return found;
  }

  function setupTabs(tabs) {
    addMissingYears(tabs);
    tabs.addEventListener("click", function (ev) {
      var t = ev.target.closest("[role=tab]");
      if (!t) { return; }
      ev.preventDefault();
      showYear(tabs, t.dataset.year);
      history.replaceState(null, "", "#y" + t.dataset.year);
    });
    var wanted = /^#y(\d{4})$/.exec(location.hash);
    if (!(wanted && showYear(tabs, wanted[1]))) { showYear(tabs, tabs.dataset.default); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll(".year-tabs").forEach(setupTabs);
    document.querySelectorAll("table[data-year-links]").forEach(yearLinks);
    document.addEventListener("click", function (ev) {
      var b = ev.target.closest("button.csv");
      if (!b) { return; }
      var t = document.getElementById(b.dataset.table);
      download(csvName(t, b.dataset.file), tableCsv(t));
    });
    var state = readState();
    document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      var key = input.dataset.state, only = input.dataset.onlyFlag ? document.getElementById(input.dataset.onlyFlag) : null;
      if (key && state[key] !== undefined) { input.value = state[key]; }
      if (only && state[only.id] === "1") { only.checked = true; }
      var run = function () {
        filterTable(input);
        var change = {};
        if (key) { change[key] = input.value.trim(); }
        if (only) { change[only.id] = only.checked ? "1" : ""; }
        if (key || only) { writeState(change); }
      };
      input.addEventListener("input", run);
      if (only) { only.addEventListener("change", run); }
      filterTable(input);
    });
    setupCite();
    setupSearch();
    drawCharts();
  });

  window.Gongkai = {esc: esc, plot: plot, tableCsv: tableCsv, makeSortable: makeSortable, drawCharts: drawCharts,
                    readState: readState, writeState: writeState, csvName: csvName};
})();
