// A tiny SVG writer for the translate example's plots: XML escaping, shape and text helpers, the viridis
// colour map and 1-2-5 axis ticks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tapegrad::translate {

// `text` made safe as XML character data or as a double-quoted attribute value:
//   & < > " ' become &amp; &lt; &gt; &quot; &apos;  (so "<unk>" renders as <unk>, not as a tag);
//   valid UTF-8 passes through unchanged (Polish ą ć ę ł ń ó ś ź ż render as themselves);
//   bytes that are not valid UTF-8, and control characters XML 1.0 forbids (everything below U+0020 except
//   tab, newline and carriage return), become U+FFFD, since a single such byte makes the whole file unreadable.
std::string escape_xml(std::string_view text);

// Number of code points in valid UTF-8 (each invalid byte counts as one): the unit for label width estimates.
std::size_t utf8_length(std::string_view text);

// A rough rendered width of `text` in a proportional sans-serif font: 0.62 em per character, the
// average advance of DejaVu Sans / Helvetica over mixed text. Used to make room for labels, never to clip.
double estimated_text_width(std::string_view text, double font_size);

struct Rgb {
    uint8_t red = 0;
    uint8_t green = 0;
    uint8_t blue = 0;
    std::string hex() const;  // "#rrggbb"
};

// The viridis colour map (van der Walt and Smith, matplotlib 2.0, 2015) at t in [0, 1] (clamped; NaN → 0):
// dark purple at 0, through blue and green, to yellow at 1. Viridis is perceptually uniform (equal steps in
// t look like equal steps in colour), monotonic in lightness (so it survives greyscale printing) and
// readable with the common colour-vision deficiencies. Rather than the 256-entry table, this interpolates
// linearly in sRGB between 9 evenly spaced samples of it (viridisLite's viridis(9)); the result is within a
// few units per channel of the full table, invisible at heat-map scale.
Rgb viridis(double t);

// Ticks for an axis spanning [low, high]: multiples of a step from the 1-2-5 sequence (…, 0.1, 0.2, 0.5, 1,
// 2, 5, 10, …), the smallest such step that gives at most `max_ticks` ticks, and every multiple of it that
// lies in [low, high] (with a relative tolerance of 1e-9 so that the ends themselves count).
// A degenerate range (low == high) is widened to one unit either side first. Requires finite low ≤ high.
std::vector<double> nice_ticks(double low, double high, int max_ticks = 6);

// A tick label for `value` on an axis whose ticks are `step` apart: as many decimals as the step needs
// ("0.25", "1.5", "300"), thousands as "k" once the step reaches 1000 ("2k", "12.5k"), "0" not "-0".
std::string format_tick(double value, double step);

// Stroke settings for lines and polylines.
struct Stroke {
    std::string color = "#000000";
    double width = 1.0;
    double opacity = 1.0;
    std::string dasharray = {};  // e.g. "4 3"; empty = solid
};

// Text settings. `anchor` is SVG's text-anchor ("start", "middle", "end"); `rotate_degrees` turns the text
// about its anchor point (negative = counter-clockwise, so -45 rises to the right).
struct TextStyle {
    double font_size = 12.0;
    std::string anchor = "start";
    std::string color = "#222222";
    double rotate_degrees = 0.0;
    bool bold = false;
    std::string baseline = "auto";  // SVG dominant-baseline: "auto" (alphabetic), "middle", "hanging"
};

// Builds one SVG document in memory, element by element, in painting order (later elements draw on top).
// All text passes through escape_xml; coordinates are user units (pixels), written with at most 2 decimals.
class SvgWriter {
public:
    SvgWriter(double width, double height);

    // `css_class` and `tooltip` are optional: a class lets tests and stylesheets find elements, a tooltip
    // becomes a <title> child that viewers show on hover.
    void rect(double x, double y, double width, double height, std::string_view fill,
              std::string_view css_class = {}, std::string_view tooltip = {}, const Stroke* outline = nullptr);
    void line(double x1, double y1, double x2, double y2, const Stroke& stroke);
    void polyline(const std::vector<std::pair<double, double>>& points, const Stroke& stroke);
    void circle(double cx, double cy, double radius, std::string_view fill, double opacity = 1.0);
    void text(double x, double y, std::string_view content, const TextStyle& style = {});
    // A vertical gradient from colour stops (offset in [0, 1], colour) that rect fills can use as
    // "url(#id)"; offset 0 is drawn at the bottom, like a colour bar whose minimum is at the bottom.
    void vertical_gradient(std::string_view id, const std::vector<std::pair<double, std::string>>& stops);

    // The finished document: XML declaration, <svg> with width/height/viewBox, a white background, the
    // elements, </svg>.
    std::string str() const;

private:
    double width_;
    double height_;
    std::string body_;
};

// Coordinates as written into the file: fixed-point with 2 decimals, trailing zeros dropped ("12", "3.5").
std::string format_coordinate(double value);

}  // namespace tapegrad::translate
