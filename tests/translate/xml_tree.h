// A minimal XML tree for tests that look inside generated pages: elements, attributes, children and the
// text directly inside each. It trusts its input to be well-formed (check with xml_problem() first):
// entities are left undecoded, and the prolog, comments and declarations are skipped.
#pragma once

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::translate::testing {

struct XmlElement {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::vector<XmlElement> children;
    std::string text;  // character data directly inside this element, entities undecoded

    std::string attribute(const std::string& key) const {
        const auto it = attributes.find(key);
        return it == attributes.end() ? std::string() : it->second;
    }
    // Whether the class attribute lists `css_class` as one of its space-separated words.
    bool has_class(std::string_view css_class) const {
        std::istringstream words(attribute("class"));
        for (std::string word; words >> word;)
            if (word == css_class) return true;
        return false;
    }
    // Every descendant (this element included) for which `match` holds, in document order.
    std::vector<const XmlElement*> find_all(const std::function<bool(const XmlElement&)>& match) const {
        std::vector<const XmlElement*> out;
        collect(match, out);
        return out;
    }
    std::vector<const XmlElement*> find_all(const std::string& element_name, std::string_view css_class = {}) const {
        return find_all([&](const XmlElement& e) { return e.name == element_name && (css_class.empty() || e.has_class(css_class)); });
    }

private:
    void collect(const std::function<bool(const XmlElement&)>& match, std::vector<const XmlElement*>& out) const {
        if (match(*this)) out.push_back(this);
        for (const XmlElement& child : children) child.collect(match, out);
    }
};

// The root element of a well-formed document.
inline XmlElement parse_xml(std::string_view xml) {
    XmlElement document;  // a holder for the root
    std::vector<XmlElement*> open{&document};
    for (std::size_t i = 0; i < xml.size();) {
        if (xml[i] != '<') {
            const std::size_t next = xml.find('<', i);
            open.back()->text += std::string(xml.substr(i, next - i));
            i = next == std::string_view::npos ? xml.size() : next;
            continue;
        }
        if (xml.substr(i, 4) == "<!--") {
            i = xml.find("-->", i) + 3;
            continue;
        }
        if (xml.substr(i, 2) == "<?" || xml.substr(i, 2) == "<!") {
            i = xml.find('>', i) + 1;
            continue;
        }
        if (xml.substr(i, 2) == "</") {
            open.pop_back();
            i = xml.find('>', i) + 1;
            continue;
        }
        XmlElement element;
        std::size_t j = i + 1;
        while (j < xml.size() && xml[j] != ' ' && xml[j] != '>' && xml[j] != '/' && xml[j] != '\n') ++j;
        element.name = std::string(xml.substr(i + 1, j - i - 1));
        while (true) {
            while (xml[j] == ' ' || xml[j] == '\n') ++j;
            if (xml[j] == '>' || xml.substr(j, 2) == "/>") break;
            const std::size_t equals = xml.find('=', j);
            const std::size_t close_quote = xml.find('"', equals + 2);
            element.attributes[std::string(xml.substr(j, equals - j))] =
                std::string(xml.substr(equals + 2, close_quote - equals - 2));
            j = close_quote + 1;
        }
        open.back()->children.push_back(std::move(element));
        if (xml[j] == '>') {
            open.push_back(&open.back()->children.back());
            i = j + 1;
        } else {
            i = j + 2;
        }
    }
    return document.children.empty() ? XmlElement{} : document.children.front();
}

}  // namespace tapegrad::translate::testing
