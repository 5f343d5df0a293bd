// Helpers for the translate tests: a well-formedness check for generated SVG, a scratch directory, counting,
// capturing what a command prints.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::translate::testing {

// "" when `xml` is well-formed in the ways our writer could get wrong, else what is wrong and where:
// a single root element; every tag closed in order; attributes quoted, with no '<' in values; every '&'
// starting one of the five named entities or a numeric reference; comments, declarations and the
// <?xml ...?> prolog skipped. Not a full XML parser (no DTDs, CDATA or namespaces), but strict enough to
// catch an unescaped "<unk>" or "&" and any unbalanced tag.
inline std::string xml_problem(std::string_view xml) {
    auto where = [&](std::size_t i) { return " at byte " + std::to_string(i) + ": '" + std::string(xml.substr(i, 40)) + "'"; };
    auto bad_ampersand = [&](std::size_t i) {
        for (std::string_view entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
            if (xml.substr(i, entity.size()) == entity) return false;
        if (xml.substr(i, 2) == "&#") {
            const std::size_t semicolon = xml.find(';', i);
            return semicolon == std::string_view::npos || semicolon - i > 10;
        }
        return true;
    };
    std::vector<std::string> open;
    int roots = 0;
    for (std::size_t i = 0; i < xml.size();) {
        const char c = xml[i];
        if (c == '&') {
            if (bad_ampersand(i)) return "bad '&'" + where(i);
            ++i;
            continue;
        }
        if (c != '<') {
            if (open.empty() && c != ' ' && c != '\n' && c != '\r' && c != '\t') return "text outside the root" + where(i);
            ++i;
            continue;
        }
        for (auto [opener, closer] : {std::pair<std::string_view, std::string_view>{"<?", "?>"}, {"<!--", "-->"}, {"<!", ">"}}) {
            if (xml.substr(i, opener.size()) == opener) {
                const std::size_t end = xml.find(closer, i);
                if (end == std::string_view::npos) return "unterminated markup" + where(i);
                i = end + closer.size();
                goto next;
            }
        }
        if (xml.substr(i, 2) == "</") {
            const std::size_t end = xml.find('>', i);
            if (end == std::string_view::npos) return "unterminated end tag" + where(i);
            const std::string name(xml.substr(i + 2, end - i - 2));
            if (open.empty() || open.back() != name)
                return "end tag </" + name + "> does not close <" + (open.empty() ? "" : open.back()) + ">" + where(i);
            open.pop_back();
            i = end + 1;
            continue;
        }
        {  // a start tag: name, then name="value" pairs, then > or />
            std::size_t j = i + 1;
            while (j < xml.size() && xml[j] != ' ' && xml[j] != '>' && xml[j] != '/' && xml[j] != '\n') ++j;
            const std::string name(xml.substr(i + 1, j - i - 1));
            if (name.empty()) return "empty tag name" + where(i);
            while (true) {
                while (j < xml.size() && (xml[j] == ' ' || xml[j] == '\n')) ++j;
                if (j >= xml.size()) return "unterminated start tag" + where(i);
                if (xml[j] == '>' || xml.substr(j, 2) == "/>") break;
                const std::size_t equals = xml.find('=', j);
                if (equals == std::string_view::npos || xml[equals + 1] != '"') return "unquoted attribute" + where(j);
                const std::size_t close_quote = xml.find('"', equals + 2);
                if (close_quote == std::string_view::npos) return "unterminated attribute" + where(j);
                for (std::size_t k = equals + 2; k < close_quote; ++k) {
                    if (xml[k] == '<') return "'<' in an attribute value" + where(k);
                    if (xml[k] == '&' && bad_ampersand(k)) return "bad '&' in an attribute value" + where(k);
                }
                j = close_quote + 1;
            }
            if (open.empty() && ++roots > 1) return "more than one root element" + where(i);
            if (xml[j] == '>') {
                open.push_back(name);
                i = j + 1;
            } else {
                i = j + 2;
            }
        }
    next:;
    }
    if (!open.empty()) return "unclosed <" + open.back() + ">";
    if (roots != 1) return "no root element";
    return "";
}

// Non-overlapping occurrences of `needle` in `haystack`.
inline std::size_t count_occurrences(std::string_view haystack, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + needle.size()))
        ++count;
    return count;
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct ScratchDirectory {
    std::filesystem::path path;
    ScratchDirectory() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("tapegrad-translate-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;
};

// What `run()` writes to standard output and standard error, at the file-descriptor level (so both
// std::cout and fmt::print / printf are caught). Restores both descriptors even when `run` throws.
struct CapturedOutput {
    std::string out;
    std::string err;
};

template <typename Run>
CapturedOutput capture_output(Run&& run) {
    ScratchDirectory scratch;
    const std::filesystem::path out_path = scratch.path / "stdout", err_path = scratch.path / "stderr";
    std::cout.flush(), std::cerr.flush(), std::fflush(stdout), std::fflush(stderr);
    const int saved_out = ::dup(1), saved_err = ::dup(2);
    std::FILE* out_file = std::fopen(out_path.c_str(), "w");
    std::FILE* err_file = std::fopen(err_path.c_str(), "w");
    ::dup2(::fileno(out_file), 1), ::dup2(::fileno(err_file), 2);
    auto restore = [&] {
        std::cout.flush(), std::cerr.flush(), std::fflush(stdout), std::fflush(stderr);
        ::dup2(saved_out, 1), ::dup2(saved_err, 2);
        ::close(saved_out), ::close(saved_err);
        std::fclose(out_file), std::fclose(err_file);
    };
    try {
        run();
    } catch (...) {
        restore();
        throw;
    }
    restore();
    auto slurp = [](const std::filesystem::path& path) {
        std::ostringstream text;
        text << std::ifstream(path, std::ios::binary).rdbuf();
        return text.str();
    };
    return {slurp(out_path), slurp(err_path)};
}

}  // namespace tapegrad::translate::testing
