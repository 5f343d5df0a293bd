// A tiny SVG writer: XML escaping with UTF-8 validation, shape and text elements, viridis, 1-2-5 ticks.
#include "examples/translate/svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::translate {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong
        if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong
        if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    if (byte(i + 1) < second_min || byte(i + 1) > second_max) return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return length;
}

}  // namespace

std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {  // an invalid byte: replace it alone and resynchronise on the next one
            out += replacement_character;
            ++i;
            continue;
        }
        if (length > 1) {
            const std::string_view sequence = text.substr(i, length);
            // U+FFFE and U+FFFF are not XML characters either.
            out += sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF" ? replacement_character : sequence;
            i += length;
            continue;
        }
        const char c = text[i++];
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '\t':
            case '\n':
            case '\r': out += c; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += replacement_character;
                else
                    out += c;
        }
    }
    return out;
}

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) i += std::max<std::size_t>(1, utf8_sequence_length(text, i));
    return count;
}

double estimated_text_width(std::string_view text, double font_size) {
    return 0.62 * font_size * static_cast<double>(utf8_length(text));
}

std::string Rgb::hex() const { return fmt::format("#{:02x}{:02x}{:02x}", red, green, blue); }

Rgb viridis(double t) {
    // viridisLite::viridis(9): "#440154" "#472D7B" "#3B528B" "#2C728E" "#21908C" "#27AD81" "#5DC863"
    // "#AADC32" "#FDE725".
    static constexpr std::array<std::array<double, 3>, 9> samples = {{{68, 1, 84},
                                                                      {71, 45, 123},
                                                                      {59, 82, 139},
                                                                      {44, 114, 142},
                                                                      {33, 144, 140},
                                                                      {39, 173, 129},
                                                                      {93, 200, 99},
                                                                      {170, 220, 50},
                                                                      {253, 231, 37}}};
    if (!(t > 0.0)) t = 0.0;  // also catches NaN
    if (t > 1.0) t = 1.0;
    const double position = t * static_cast<double>(samples.size() - 1);
    const auto below = std::min(static_cast<std::size_t>(position), samples.size() - 2);
    const double fraction = position - static_cast<double>(below);
    auto channel = [&](std::size_t c) {
        const double value = samples[below][c] + fraction * (samples[below + 1][c] - samples[below][c]);
        return static_cast<uint8_t>(std::lround(value));
    };
    return {channel(0), channel(1), channel(2)};
}

std::vector<double> nice_ticks(double low, double high, int max_ticks) {
    if (!std::isfinite(low) || !std::isfinite(high) || low > high)
        throw std::invalid_argument(fmt::format("nice_ticks: need finite low <= high, got [{}, {}]", low, high));
    if (max_ticks < 2) throw std::invalid_argument(fmt::format("nice_ticks: max_ticks must be >= 2, got {}", max_ticks));
    if (low == high) {
        low -= 1.0;
        high += 1.0;
    }
    const double tolerance = 1e-9 * (high - low);
    // Walk up the 1-2-5 sequence from a step that is surely too small until the count fits.
    double magnitude = std::pow(10.0, std::floor(std::log10((high - low) / max_ticks)) - 1.0);
    static constexpr std::array<double, 3> multipliers = {1.0, 2.0, 5.0};
    for (int attempt = 0; attempt < 30; ++attempt, magnitude *= 10.0) {
        for (double multiplier : multipliers) {
            const double step = multiplier * magnitude;
            const double first = std::ceil((low - tolerance) / step);
            const double last = std::floor((high + tolerance) / step);
            if (last - first + 1.0 > max_ticks) continue;
            std::vector<double> ticks;
            for (double k = first; k <= last; k += 1.0) ticks.push_back(k * step);
            return ticks;
        }
    }
    return {low, high};  // unreachable for finite input; kept as a safe answer
}

std::string format_tick(double value, double step) {
    std::string suffix;
    if (std::abs(step) >= 1000.0) {
        value /= 1000.0;
        step /= 1000.0;
        suffix = "k";
    }
    // The fewest decimals (up to 6) at which the step is a whole number: 0.5 → 1, 0.25 → 2, 20 → 0.
    int decimals = 0;
    double scaled_step = std::abs(step);
    while (decimals < 6 && std::abs(scaled_step - std::round(scaled_step)) > 1e-6 * std::max(1.0, scaled_step)) {
        scaled_step *= 10.0;
        ++decimals;
    }
    if (std::abs(value) < 0.5 * std::pow(10.0, -decimals)) value = 0.0;  // never print "-0"
    return fmt::format("{:.{}f}{}", value, decimals, suffix);
}

std::string format_coordinate(double value) {
    std::string text = fmt::format("{:.2f}", value);
    if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
    }
    if (text == "-0") text = "0";
    return text;
}

SvgWriter::SvgWriter(double width, double height) : width_(width), height_(height) {}

void SvgWriter::rect(double x, double y, double width, double height, std::string_view fill,
                     std::string_view css_class, std::string_view tooltip, const Stroke* outline) {
    body_ += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}")", format_coordinate(x),
                         format_coordinate(y), format_coordinate(width), format_coordinate(height), escape_xml(fill));
    if (!css_class.empty()) body_ += fmt::format(R"( class="{}")", escape_xml(css_class));
    if (outline != nullptr)
        body_ += fmt::format(R"( stroke="{}" stroke-width="{}")", escape_xml(outline->color),
                             format_coordinate(outline->width));
    if (tooltip.empty())
        body_ += "/>\n";
    else
        body_ += fmt::format("><title>{}</title></rect>\n", escape_xml(tooltip));
}

namespace {

std::string stroke_attributes(const Stroke& stroke) {
    std::string attributes = fmt::format(R"(stroke="{}" stroke-width="{}")", escape_xml(stroke.color),
                                         format_coordinate(stroke.width));
    if (stroke.opacity < 1.0) attributes += fmt::format(R"( stroke-opacity="{}")", format_coordinate(stroke.opacity));
    if (!stroke.dasharray.empty()) attributes += fmt::format(R"( stroke-dasharray="{}")", escape_xml(stroke.dasharray));
    return attributes;
}

}  // namespace

void SvgWriter::line(double x1, double y1, double x2, double y2, const Stroke& stroke) {
    body_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>)", format_coordinate(x1), format_coordinate(y1),
                         format_coordinate(x2), format_coordinate(y2), stroke_attributes(stroke));
    body_ += '\n';
}

void SvgWriter::polyline(const std::vector<std::pair<double, double>>& points, const Stroke& stroke) {
    if (points.empty()) return;
    std::string coordinates;
    for (const auto& [x, y] : points) {
        if (!coordinates.empty()) coordinates += ' ';
        coordinates += format_coordinate(x) + ',' + format_coordinate(y);
    }
    body_ += fmt::format(R"(<polyline points="{}" fill="none" stroke-linejoin="round" {}/>)", coordinates,
                         stroke_attributes(stroke));
    body_ += '\n';
}

void SvgWriter::circle(double cx, double cy, double radius, std::string_view fill, double opacity) {
    body_ += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}")", format_coordinate(cx), format_coordinate(cy),
                         format_coordinate(radius), escape_xml(fill));
    if (opacity < 1.0) body_ += fmt::format(R"( fill-opacity="{}")", format_coordinate(opacity));
    body_ += "/>\n";
}

void SvgWriter::text(double x, double y, std::string_view content, const TextStyle& style) {
    body_ += fmt::format(R"(<text x="{}" y="{}" font-size="{}" fill="{}")", format_coordinate(x), format_coordinate(y),
                         format_coordinate(style.font_size), escape_xml(style.color));
    if (style.anchor != "start") body_ += fmt::format(R"( text-anchor="{}")", escape_xml(style.anchor));
    if (style.baseline != "auto") body_ += fmt::format(R"( dominant-baseline="{}")", escape_xml(style.baseline));
    if (style.bold) body_ += R"( font-weight="bold")";
    if (style.rotate_degrees != 0.0)
        body_ += fmt::format(R"svg( transform="rotate({} {} {})")svg", format_coordinate(style.rotate_degrees),
                             format_coordinate(x), format_coordinate(y));
    // xml:space="preserve" keeps a token's leading, trailing or repeated spaces instead of collapsing them.
    body_ += fmt::format(R"( xml:space="preserve">{}</text>)", escape_xml(content));
    body_ += '\n';
}

void SvgWriter::vertical_gradient(std::string_view id, const std::vector<std::pair<double, std::string>>& stops) {
    body_ += fmt::format(R"(<defs><linearGradient id="{}" x1="0" y1="1" x2="0" y2="0">)", escape_xml(id));
    for (const auto& [offset, color] : stops)
        body_ += fmt::format(R"(<stop offset="{}" stop-color="{}"/>)", format_coordinate(offset), escape_xml(color));
    body_ += "</linearGradient></defs>\n";
}

std::string SvgWriter::str() const {
    const std::string width = format_coordinate(width_);
    const std::string height = format_coordinate(height_);
    // DejaVu Sans first: it is on almost every Linux box and covers Polish, arrows and the symbols labels use.
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
        "{2}</svg>\n",
        width, height, body_);
}

}  // namespace tapegrad::translate
