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
    responsive: true, displaylogo: false, locale: "zh-CN",
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines",
                             "hoverClosestCartesian", "hoverCompareCartesian"],
    toImageButtonOptions: {format: "png", scale: 2}
  };
  var registered = false;

  /* Text for Plotly labels: Plotly renders some HTML tags in labels, entities stay literal. */
  function esc(s) {
    return String(s == null ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function plot(el, fig) {
    if (!window.Plotly) { el.textContent = "图表库未能加载（assets/plotly.min.js）。数据见下方数据表。"; return; }
    if (!registered) { window.Plotly.register(LOCALE); registered = true; }
    window.Plotly.react(el, fig.data, fig.layout, CONFIG);
  }

  function drawCharts(root) {
    (root || document).querySelectorAll(".chart[data-spec]").forEach(function (el) {
      if (el.dataset.drawn || el.offsetParent === null) { return; }
      var spec = document.getElementById(el.dataset.spec);
      if (!spec) { return; }
      el.dataset.drawn = "1";
      plot(el, JSON.parse(spec.textContent));
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
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (head) {
      lines.push(Array.prototype.map.call(head.cells, function (c) { return csvField(c.textContent.trim()); }).join(","));
    }
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      if (r.hidden) { return; }
      lines.push(Array.prototype.map.call(r.cells, function (c) { return csvField(value(c)); }).join(","));
    });
    // The byte-order mark makes Excel read the file as UTF-8, so Chinese text is not garbled.
    return "\ufeff" + lines.join("\r\n") + "\r\n";
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
      var td = ev.target.closest("td.cov.ok, td.cov.bad");
      if (!td) { return; }
      var link = td.parentNode.querySelector("a");
      var year = table.tHead.rows[0].cells[td.cellIndex].textContent.trim();
      if (link) { location.href = link.getAttribute("href") + "#y" + year; }
    });
  }

  /* --- year tabs on organ pages ------------------------------------------------------------ */

  function showYear(tabs, year) {
    var found = false;
    tabs.querySelectorAll("[role=tab]").forEach(function (t) {
      var on = t.dataset.year === year;
      found = found || on;
      t.setAttribute("aria-selected", on ? "true" : "false");
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
    return found;
  }

  function setupTabs(tabs) {
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
      download(b.dataset.file, tableCsv(document.getElementById(b.dataset.table)));
    });
    document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      var run = function () { filterTable(input); };
      input.addEventListener("input", run);
      if (input.dataset.onlyFlag) { document.getElementById(input.dataset.onlyFlag).addEventListener("change", run); }
      run();
    });
    drawCharts();
  });

  window.Gongkai = {esc: esc, plot: plot, tableCsv: tableCsv, makeSortable: makeSortable, drawCharts: drawCharts};
})();
