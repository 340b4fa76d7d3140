/* The comparison page: filters the embedded organ-year rows, ranks them by the chosen metric and
   bins them, then draws both charts and writes both tables from the same filtered rows, so the
   tables and their CSV always hold exactly what the charts show. */
(function () {
  "use strict";
  var G, D, col, metricBy;
  var FONT = "'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', sans-serif";

  function $(id) { return document.getElementById(id); }

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function setup() {
    G = window.Gongkai;
    D = JSON.parse($("compare-data").textContent);
    col = {};
    D.columns.forEach(function (c, i) { col[c] = i; });
    metricBy = {};
    D.metrics.forEach(function (m) { metricBy[m.key] = m; option($("f-metric"), m.key, m.label); });
    var years = {}, levels = {}, sectors = {}, provinces = {};
    D.rows.forEach(function (r) {
      var o = D.organs[r[col.organ]];
      years[r[col.year]] = 1; levels[o[1]] = 1; sectors[o[2]] = 1; if (o[3]) { provinces[o[3]] = 1; }
    });
    Object.keys(years).sort().reverse().forEach(function (y) { option($("f-year"), y, y + " 年"); });
    D.levels.forEach(function (kv) { if (levels[kv[0]]) { option($("f-level"), kv[0], kv[1]); } });
    if (levels[""]) { option($("f-level"), "?", D.unknown); }
    D.sectors.forEach(function (kv) { if (sectors[kv[0]]) { option($("f-sector"), kv[0], kv[1]); } });
    Object.keys(provinces).sort(function (a, b) { return a.localeCompare(b, "zh-Hans-CN"); })
      .forEach(function (p) { option($("f-province"), p, p); });
    // a link's view: every filter from the URL (#year=2023&metric=…), the region lists filled in order
    var state = G.readState();
    ["f-year", "f-level", "f-sector", "f-province"].forEach(function (id) { restore(id, state); });
    fillCities();
    restore("f-city", state);
    fillCounties();
    ["f-county", "f-scope", "f-metric", "f-min", "f-top"].forEach(function (id) { restore(id, state); });
    $("filters").addEventListener("change", function (ev) {
      if (ev.target.id === "f-province") { fillCities(); }
      if (ev.target.id === "f-province" || ev.target.id === "f-city") { fillCounties(); }
      remember();
      update();
    });
    G.makeSortable($("ranking-table"));
    update();
  }

  var KEYS = {"f-year": "year", "f-level": "level", "f-sector": "sector", "f-province": "province", "f-city": "city",
              "f-county": "county", "f-scope": "scope", "f-metric": "metric", "f-min": "min", "f-top": "top"};

  /* Set a select from the URL's state when it offers that value. */
  function restore(id, state) {
    var v = state[KEYS[id]], sel = $(id);
    if (v === undefined) { return; }
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].value === v) { sel.value = v; return; } }
  }

  function remember() {
    var change = {};
    Object.keys(KEYS).forEach(function (id) { change[KEYS[id]] = $(id).value; });
    G.writeState(change);
  }

  function fillCities() {
    var sel = $("f-city"), prov = $("f-province").value, cities = {};
    while (sel.options.length > 1) { sel.remove(1); }
    D.organs.forEach(function (o) { if (o[4] && (!prov || o[3] === prov)) { cities[o[4]] = 1; } });
    Object.keys(cities).sort(function (a, b) { return a.localeCompare(b, "zh-Hans-CN"); })
      .forEach(function (c) { option(sel, c, c); });
  }

  function fillCounties() {
    var sel = $("f-county"), prov = $("f-province").value, city = $("f-city").value, counties = {};
    while (sel.options.length > 1) { sel.remove(1); }
    D.organs.forEach(function (o) {
      if (o[6] && (!prov || o[3] === prov) && (!city || o[4] === city)) { counties[o[6]] = 1; }
    });
    Object.keys(counties).sort(function (a, b) { return a.localeCompare(b, "zh-Hans-CN"); })
      .forEach(function (c) { option(sel, c, c); });
  }

  function levelName(code) {
    for (var i = 0; i < D.levels.length; i++) { if (D.levels[i][0] === code) { return D.levels[i][1]; } }
    return D.unknown;
  }

  function sectorName(code) {
    for (var i = 0; i < D.sectors.length; i++) { if (D.sectors[i][0] === code) { return D.sectors[i][1]; } }
    return D.unknown;
  }

  function scopeName(code) {
    for (var i = 0; i < D.scopes.length; i++) { if (D.scopes[i][0] === code) { return D.scopes[i][1]; } }
    return code;
  }

  /* The metric's value includes a cell the parser guessed. */
  function guessed(r, m) { return r[col.guessed].indexOf(m.key) >= 0; }

  /* The rows that pass the filters and have the metric, best first. Region reports (a government's
     全区 report, which sums its departments' and towns') are ranked apart from single organs. */
  function selected(m) {
    var f = {year: +$("f-year").value, level: $("f-level").value, sector: $("f-sector").value,
             province: $("f-province").value, city: $("f-city").value, county: $("f-county").value,
             min: +$("f-min").value, scope: $("f-scope").value};
    var out = [], without = 0, apart = 0;
    D.rows.forEach(function (r) {
      var o = D.organs[r[col.organ]];
      if (r[col.year] !== f.year) { return; }
      var region = r[col.scope] === "region";
      if ((f.scope === "single" && region) || (f.scope === "region" && !region)) { if (f.scope === "single") { apart += 1; } return; }
      if (f.level && (f.level === "?" ? o[1] !== "" : o[1] !== f.level)) { return; }
      if ((f.sector && o[2] !== f.sector) || (f.province && o[3] !== f.province) || (f.city && o[4] !== f.city) ||
          (f.county && o[6] !== f.county)) { return; }
      var v = r[col[m.key]];
      var den = m.den ? r[col[m.den]] : null;
      if (v === null || (m.den && (den === null || den < f.min))) { without += 1; return; }
      out.push({o: o, r: r, v: v});
    });
    out.sort(function (a, b) { return b.v - a.v || a.o[0].localeCompare(b.o[0], "zh-Hans-CN"); });
    return {rows: out, without: without, apart: apart, year: f.year};
  }

  /* Competition ranks (1, 1, 3 …): organs with the same value share a rank. */
  function ranks(rows) {
    var out = [];
    rows.forEach(function (e, i) { out.push(i > 0 && e.v === rows[i - 1].v ? out[i - 1] : i + 1); });
    return out;
  }

  function shown(rows) {
    var top = $("f-top").value, rank = ranks(rows);
    if (top === "all") { return rows.map(function (x, i) { return {x: x, rank: rank[i]}; }); }
    var n = top === "top50" ? 50 : 20;
    var idx = [];
    if (top === "bottom20") { for (var i = Math.max(0, rows.length - n); i < rows.length; i++) { idx.push(i); } }
    else { for (var j = 0; j < Math.min(n, rows.length); j++) { idx.push(j); } }
    return idx.map(function (i) { return {x: rows[i], rank: rank[i]}; });
  }

  function fmt(v, rate) {
    if (v === null || v === undefined) { return "—"; }
    return rate ? v.toFixed(1) + "%" : v.toLocaleString("en-US");
  }

  /* Ticks of a count axis from 1万 on, in 万 (1万, 1.5万 …); the exact value is in the hover. */
  function wanTicks(axis, top) {
    if (top < 10000) { return; }
    var step = niceStep(top * 2);  // niceStep(x) is a nice step near x / 10: about five ticks
    var vals = [], text = [];
    for (var v = 0; v <= top + step; v += step) {
      vals.push(v);
      text.push(v === 0 ? "0" : String(+(v / 10000).toFixed(2)) + "万");
    }
    axis.tickmode = "array"; axis.tickvals = vals; axis.ticktext = text;
  }

  function fillTable(table, header, body) {
    var head = table.tHead, tb = table.tBodies[0];
    head.textContent = ""; tb.textContent = "";
    var tr = head.insertRow();
    header.forEach(function (h) {
      var th = document.createElement("th");
      th.textContent = h; th.tabIndex = 0; th.title = "点击排序";
      tr.appendChild(th);
    });
    body.forEach(function (cells) {
      var row = tb.insertRow();
      cells.forEach(function (c) {
        var td = row.insertCell();
        if (c.href) {
          var a = document.createElement("a");
          a.href = c.href; a.textContent = c.text; td.appendChild(a);
        } else { td.textContent = c.text; }
        if (c.v !== undefined) { td.setAttribute("data-v", c.v === null ? "" : String(c.v)); td.className = "num"; }
        if (c.title) { td.title = c.title; td.className += " guessed"; }
      });
    });
  }

  function layout(xtitle, ytitle, height, horizontal, rate) {
    var value = {title: {text: ytitle}, automargin: true, rangemode: "tozero", gridcolor: "#e5e5e5",
                 separatethousands: true, ticksuffix: rate ? "%" : ""};
    var cat = {title: {text: xtitle}, automargin: true, type: "category"};
    if (horizontal) { cat.autorange = "reversed"; }
    return {font: {family: FONT, size: 13}, height: height, margin: {l: 20, r: 30, t: 20, b: 50},
            showlegend: false, separators: ".,", plot_bgcolor: "#fff", paper_bgcolor: "#fff",
            hoverlabel: {font: {family: FONT}},
            xaxis: horizontal ? value : cat, yaxis: horizontal ? cat : value};
  }

  function drawRanking(m, sel) {
    var list = shown(sel.rows);
    var unit = m.rate ? "（%）" : "（件）";
    $("ranking-title").textContent = yearText(sel) + m.label + "排名（共 " + fmt(sel.rows.length) + " 个，显示 " + fmt(list.length) + " 个）";
    var header = ["排名", "机关", "层级", "领域", "地区", "报告范围", m.label + unit];
    if (m.rate) { header.push(D.count_labels[m.num] + "（件）", D.count_labels[m.den] + "（件）"); }
    header.push("推测数值");
    var body = list.map(function (e) {
      var o = e.x.o, r = e.x.r, g = guessed(r, m);
      var cells = [{text: String(e.rank), v: e.rank}, {text: o[0], href: o[5]}, {text: levelName(o[1])},
                   {text: sectorName(o[2])}, {text: [o[3], o[4], o[6]].filter(Boolean).join("") || D.unknown},
                   {text: scopeName(r[col.scope])},
                   {text: (g ? "≈" : "") + fmt(e.x.v, m.rate), v: e.x.v, title: g ? D.guessed_note : ""}];
      if (m.rate) { cells.push({text: fmt(r[col[m.num]]), v: r[col[m.num]]}, {text: fmt(r[col[m.den]]), v: r[col[m.den]]}); }
      cells.push({text: g ? "含推测数值" : ""});
      return cells;
    });
    fillTable($("ranking-table"), header, body);
    $("ranking-count").textContent = String(body.length);
    var el = $("ranking-chart");
    $("ranking-empty").hidden = list.length > 0;
    el.hidden = list.length === 0;
    if (!list.length) { return; }
    // Bars sit at positions 0..n-1 with the names as tick labels: a category axis would merge two
    // organs of the same name into one bar.
    var names = list.map(function (e) {
      return G.esc(e.rank + ". " + e.x.o[0] + (e.x.r[col.scope] === "region" ? "（全区域）" : "") + (guessed(e.x.r, m) ? " ≈" : ""));
    });
    var x = list.map(function (e) { return e.x.v; });
    var pos = list.map(function (_, i) { return i; });
    var trace = {type: "bar", orientation: "h", x: x, y: pos, customdata: names, marker: {color: "#1565c0"},
                 text: x.map(function (v) { return fmt(v, m.rate); }), textposition: "auto", cliponaxis: false,
                 hovertemplate: "%{customdata}：%{x:,}" + (m.rate ? "%" : "") + "<extra></extra>"};
    var lay = layout("", m.label + unit, Math.max(240, 80 + 24 * list.length), true, m.rate);
    lay.yaxis = {type: "linear", autorange: "reversed", automargin: true, tickmode: "array", tickvals: pos,
                 ticktext: names, showgrid: false, zeroline: false};
    if (!m.rate) { wanTicks(lay.xaxis, Math.max.apply(null, x)); }
    G.plot(el, {data: [trace], layout: lay});
  }

  function niceStep(max) {
    var raw = Math.max(1, max / 10), p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * p >= raw) { return steps[i] * p; } }
    return 10 * p;
  }

  function drawDistribution(m, sel) {
    var vals = sel.rows.map(function (e) { return e.v; });
    var el = $("distribution-chart");
    $("distribution-title").textContent = yearText(sel) + m.label + "分布（" + fmt(vals.length) + " 个）";
    $("distribution-empty").hidden = vals.length > 0;
    el.hidden = vals.length === 0;
    if (!vals.length) {  // no rows either, so the CSV is as empty as the chart
      fillTable($("distribution-table"), ["区间", "机关数（个）"], []);
      $("distribution-count").textContent = "0";
      return;
    }
    var top = Math.max.apply(null, vals);
    var step = m.rate ? 10 : niceStep(top);
    var nbins = m.rate ? 10 : Math.floor(top / step) + 1;
    var counts = [];
    for (var i = 0; i < nbins; i++) { counts.push(0); }
    vals.forEach(function (v) { counts[Math.min(nbins - 1, Math.floor(v / step))] += 1; });
    var labels = counts.map(function (_, i) {
      var lo = i * step, hi = (i + 1) * step;
      if (m.rate) { return lo + "%–" + hi + "%" + (i === nbins - 1 ? "（含）" : ""); }
      return fmt(lo) + "–" + fmt(hi - 1) + " 件";
    });
    fillTable($("distribution-table"), ["区间", "机关数（个）"], counts.map(function (c, i) {
      return [{text: labels[i]}, {text: String(c), v: c}];
    }));
    $("distribution-count").textContent = String(counts.length);
    var trace = {type: "bar", x: labels, y: counts, marker: {color: "#6a1b9a"}, hovertemplate: "%{x}：%{y} 个机关<extra></extra>"};
    var lay = layout(m.label + "区间", "机关数（个）", 320, false, false);
    if (Math.max.apply(null, counts) <= 5) { lay.yaxis.dtick = 1; }  // no half organs on the axis
    G.plot(el, {data: [trace], layout: lay});
  }

  function yearText(sel) { return sel.year ? sel.year + " 年" : ""; }

  function median(sorted) {
    if (!sorted.length) { return null; }
    var n = sorted.length, a = sorted[Math.floor((n - 1) / 2)], b = sorted[Math.floor(n / 2)];
    return (a + b) / 2;
  }

  /* What a download holds, in its name: measure, year and every filter set. */
  function fileName(what, m) {
    var parts = [what, $("f-year").value + "年", m.label];
    ["f-level", "f-sector", "f-province", "f-city", "f-county"].forEach(function (id) {
      var sel = $(id);
      if (sel.value) { parts.push(sel.options[sel.selectedIndex].text); }
    });
    parts.push($("f-scope").options[$("f-scope").selectedIndex].text.replace(/（.*）/, ""));
    if (m.rate) { parts.push("分母不少于" + $("f-min").value + "件"); }
    if (what === "机关排名") { parts.push($("f-top").options[$("f-top").selectedIndex].text); }
    return parts.join("_").replace(/[\\/:*?"<>|\s]+/g, "") + ".csv";
  }

  function update() {
    var m = metricBy[$("f-metric").value];
    $("ranking-csv").dataset.file = fileName("机关排名", m);
    $("distribution-csv").dataset.file = fileName("机关分布", m);
    var sel = selected(m);
    var vals = sel.rows.map(function (e) { return e.v; }).sort(function (a, b) { return a - b; });
    var med = median(vals);
    $("summary").textContent = "符合条件的" + ($("f-scope").value === "region" ? "全区域报告 " : "机关 ") + fmt(sel.rows.length) + " 个" +
      (sel.without ? "（另有 " + fmt(sel.without) + " 个没有该指标或分母不足，未参加排名）" : "") +
      (sel.apart ? "；" + fmt(sel.apart) + " 份全区域报告汇总了下级机关的数字，另行排名（报告范围选“全区域报告”）" : "") +
      (med === null ? "" : "；中位数 " + fmt(Math.round(med * 10) / 10, m.rate) + "。");
    $("metric-how").textContent = m.label + "：" + m.how + (m.rate ? "。分母小于所选件数的机关不参加排名。" : "。");
    drawRanking(m, sel);
    drawDistribution(m, sel);
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
