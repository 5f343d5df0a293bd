// The explain page's stylesheet and script, inlined into every page (it fetches nothing).
// Both avoid the characters '<' and '&' so that the page stays well-formed XML (a polyglot XHTML5 file
// the tests parse): comparisons are written with '>' and conditions are nested instead of joined by &&.
#pragma once

#include <string_view>

namespace tapegrad::translate {

inline constexpr std::string_view explain_page_css = R"css(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 16px 20px; background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 6px 0; }
h2 { font-size: 16px; margin: 0 0 4px 0; }
h3 { font-size: 14px; margin: 14px 0 4px 0; }
p { margin: 4px 0; line-height: 1.4; }
code, .token { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.sentence { font-size: 18px; margin: 6px 0; }
.sentence .source { background: #eef3fb; padding: 2px 6px; border-radius: 3px; }
.sentence .target { background: #eefbf0; padding: 2px 6px; border-radius: 3px; }
.muted { color: #666; font-size: 12px; }
.tokens { font-size: 12px; margin: 3px 0; }
.tokens .token { display: inline-block; border: 1px solid #ccd; border-radius: 3px; padding: 0 3px; margin: 1px; background: #fff; white-space: pre; }
.tokens .token sub { color: #999; font-size: 9px; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: center; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; margin: 10px 0; font-size: 12px; }
.legend .formula { font-size: 14px; }
.toolbar { margin: 6px 0 10px 0; font-size: 12px; }
.toolbar button { font: inherit; padding: 2px 8px; cursor: pointer; }
/* Side by side: the three kinds share the width and maps shrink to fit (never below their min-width: then
   they scroll). "Actual size" lets every map take its natural size and the kinds wrap. */
.kinds { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 14px; align-items: start; }
body.actual .kinds { display: flex; flex-wrap: wrap; }
.kind { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; max-width: 100%; min-width: 0; box-sizing: border-box; }
.kind .where { font-size: 12px; max-width: 560px; }
.kind .axes { font-size: 11px; color: #555; }
.grid { display: grid; grid-template-columns: auto repeat(var(--layers), minmax(0, 1fr)); gap: 6px 10px; align-items: start; margin-top: 8px; overflow-x: auto; }
body.actual .grid { grid-template-columns: auto repeat(var(--layers), auto); }
.grid .heading { font-size: 12px; font-weight: bold; color: #444; }
.grid .row-heading { font-size: 12px; font-weight: bold; color: #444; writing-mode: vertical-rl; transform: rotate(180deg); align-self: center; }
.grid .mean-heading { color: #8a5a00; }
figure.map { margin: 0; cursor: zoom-in; }
figure.map .scroll { max-width: 100%; max-height: 420px; overflow: auto; }
figure.map svg { display: block; max-width: 100%; height: auto; }
body.actual figure.map svg { max-width: none; }
body.actual figure.map .scroll { max-width: 360px; max-height: 360px; }
figure.map.mean svg { outline: 2px solid #e0c080; outline-offset: -1px; }
figure.map figcaption { font-size: 11px; color: #333; max-width: 260px; margin-top: 2px; line-height: 1.3; }
figure.map.flash { outline: 3px solid #f0a000; }
svg.attention-map .tick { fill: #222; }
svg.attention-map .tick.written { fill: #1f5fa8; }
svg.attention-map .arrow { fill: #999; }
svg.attention-map .cell.hover { stroke: #ff3300; stroke-width: 1.5; }
table.statistics { border-collapse: collapse; font-size: 12px; background: #fff; margin-top: 6px; }
table.statistics th, table.statistics td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; }
table.statistics th { text-align: center; background: #f3f3f3; }
table.statistics td.words, table.statistics td.kind-name { text-align: left; }
table.statistics tr.head-row { cursor: pointer; }
table.statistics tr.head-row:hover { background: #fff6dd; }
dl.definitions dt { font-weight: bold; margin-top: 6px; font-size: 13px; }
dl.definitions dd { margin-left: 18px; font-size: 12px; max-width: 900px; }
#tooltip { position: fixed; z-index: 20; pointer-events: none; background: rgba(20, 20, 20, 0.92); color: #fff; font-size: 12px; padding: 5px 8px; border-radius: 4px; white-space: pre; }
#zoom { position: fixed; inset: 0; z-index: 10; background: #fafafa; overflow: auto; padding: 16px; cursor: zoom-out; }
#zoom .scroll { max-width: none; max-height: none; }
#zoom figure.map svg { max-width: none; }
#zoom figure.map { cursor: zoom-out; }
#zoom figure.map figcaption { max-width: none; font-size: 13px; }
#zoom .title { font-size: 15px; font-weight: bold; margin-bottom: 8px; }
[hidden] { display: none !important; }
)css";

inline constexpr std::string_view explain_page_script = R"js(
(function () {
  var tokens = JSON.parse(document.getElementById('explain-tokens').textContent);
  var tip = document.getElementById('tooltip');
  var zoom = document.getElementById('zoom');
  var hovered = null;
  function quoted(text) { return '\u201c' + text + '\u201d'; }
  function cellOf(rect) {
    var svg = rect.ownerSVGElement;
    return {
      s: Math.round((parseFloat(rect.getAttribute('x')) - parseFloat(svg.dataset.left)) / parseFloat(svg.dataset.cellWidth)),
      t: Math.round((parseFloat(rect.getAttribute('y')) - parseFloat(svg.dataset.top)) / parseFloat(svg.dataset.cellHeight))
    };
  }
  function describe(rect) {
    var figure = rect.closest('figure.map');
    var kind = tokens[figure.dataset.kind];
    var at = cellOf(rect);
    var head = figure.dataset.head === 'mean' ? 'mean of heads' : 'head ' + figure.dataset.head;
    var lines = [kind.title + ', layer ' + figure.dataset.layer + ', ' + head];
    if (kind.written.length) {
      lines.push('query: position ' + at.t + ' reads ' + quoted(kind.queries[at.t]) + ', writes ' + quoted(kind.written[at.t]));
    } else {
      lines.push('query: ' + quoted(kind.queries[at.t]) + ' (position ' + at.t + ')');
    }
    lines.push('key: ' + quoted(kind.keys[at.s]) + ' (position ' + at.s + ')');
    if (rect.classList.contains('blocked')) {
      lines.push('blocked: position ' + at.s + ' is in the future of position ' + at.t);
    } else {
      lines.push('weight ' + rect.dataset.w);
    }
    return lines.join('\n');
  }
  document.addEventListener('mouseover', function (event) {
    var target = event.target;
    if (hovered) { hovered.classList.remove('hover'); hovered = null; }
    if (target.classList) {
      if (target.classList.contains('cell')) {
        hovered = target;
        target.classList.add('hover');
        tip.textContent = describe(target);
        tip.hidden = false;
        return;
      }
    }
    tip.hidden = true;
  });
  document.addEventListener('mousemove', function (event) {
    if (tip.hidden) return;
    var x = event.clientX + 14, y = event.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth) x = event.clientX - tip.offsetWidth - 10;
    if (y + tip.offsetHeight > window.innerHeight) y = event.clientY - tip.offsetHeight - 10;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  document.addEventListener('click', function (event) {
    if (!zoom.hidden) { zoom.hidden = true; zoom.textContent = ''; return; }
    var figure = event.target.closest ? event.target.closest('figure.map') : null;
    if (figure) {
      // A clone of the whole figure, so that hovering its cells works as on the page.
      var copy = figure.cloneNode(true);
      copy.removeAttribute('id');
      copy.classList.add('zoomed');
      var svg = copy.querySelector('svg');
      var width = parseFloat(svg.getAttribute('width')), height = parseFloat(svg.getAttribute('height'));
      var scale = Math.max(1, Math.min(4, (window.innerWidth - 40) / width, (window.innerHeight - 110) / height));
      svg.setAttribute('width', width * scale);
      svg.setAttribute('height', height * scale);
      var title = document.createElement('div');
      title.className = 'title';
      title.textContent = figure.getAttribute('aria-label') + ' \u2014 click anywhere or press Esc to close';
      zoom.appendChild(title);
      zoom.appendChild(copy);
      zoom.hidden = false;
      return;
    }
    var row = event.target.closest ? event.target.closest('tr.head-row') : null;
    if (row) {
      var map = document.getElementById(row.dataset.map);
      map.scrollIntoView({ behavior: 'smooth', block: 'center' });
      map.classList.add('flash');
      setTimeout(function () { map.classList.remove('flash'); }, 1500);
    }
  });
  var toggle = document.getElementById('toggle-size');
  toggle.hidden = false;
  toggle.addEventListener('click', function (event) {
    event.stopPropagation();
    var actual = document.body.classList.toggle('actual');
    toggle.textContent = actual ? 'fit the three kinds side by side' : 'show every map at its actual size';
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { zoom.hidden = true; zoom.textContent = ''; }
  });
})();
)js";

}  // namespace tapegrad::translate
