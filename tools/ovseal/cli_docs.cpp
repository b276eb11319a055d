// SPDX-License-Identifier: Apache-2.0
// The man page and the bash completion script, generated from the same CLI11 App tree as --help, so the three
// never disagree.

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "cli_common.hpp"
#include "ovseal/error.hpp"
#include "ovseal/version.hpp"

namespace ovseal::cli {
namespace {

bool visible(const CLI::App* command) {
    return !command->get_group().empty();
}
bool visible_option(const CLI::Option* option) {
    return !option->get_group().empty();
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* c) { return visible(c); });
}

std::vector<const CLI::Option*> visible_options(const CLI::App& app) {
    return app.get_options([](const CLI::Option* o) { return visible_option(o); });
}

std::vector<std::string> option_names(const CLI::Option* option) {
    std::vector<std::string> names;
    for (const auto& s : option->get_snames()) names.push_back("-" + s);
    for (const auto& l : option->get_lnames()) names.push_back("--" + l);
    return names;
}

bool takes_value(const CLI::Option* option) {
    return option->get_expected_max() != 0;
}

// roff: backslashes escaped, hyphens literal, no line starting with a control character.
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string join_path(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + " " + name;
}

void man_options(std::string& out, const CLI::App& command) {
    for (const CLI::Option* o : visible_options(command)) {
        if (o->get_positional()) continue;
        std::string names;
        for (const auto& n : option_names(o)) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
        if (takes_value(o)) names += " \\fI" + roff(o->get_type_name()) + "\\fR";
        out += ".TP\n" + names + "\n" + roff(o->get_description()) + "\n";
    }
}

void man_command(std::string& out, const CLI::App& command, const std::string& path) {
    std::string synopsis = "ovseal " + path;
    std::string arguments;
    for (const CLI::Option* o : visible_options(command)) {
        if (!o->get_positional()) continue;
        const std::string name = o->get_name(true);
        synopsis += o->get_required() ? " " + name : " [" + name + "]";
        arguments += ".TP\n\\fI" + roff(name) + "\\fR\n" + roff(o->get_description()) + "\n";
    }
    const auto children = visible_subcommands(command);
    if (!children.empty()) synopsis += " COMMAND";
    out += ".SS \"" + roff(synopsis) + "\"\n" + roff(command.get_description()) + "\n";
    out += arguments;
    man_options(out, command);
    for (const CLI::App* child : children) man_command(out, *child, join_path(path, child->get_name()));
}

// Every command path ("ovseal" for the top level: bash has no empty keys) with its subcommands, options and
// options that take a value, as entries of the completion script's tables.
void completion_tables(const CLI::App& command, const std::string& path, std::string& subcommands, std::string& options,
                       std::string& value_options) {
    std::string subs, opts, values;
    for (const CLI::App* child : visible_subcommands(command)) {
        subs += (subs.empty() ? "" : " ") + child->get_name();
    }
    for (const CLI::Option* o : visible_options(command)) {
        if (o->get_positional()) continue;
        for (const auto& n : option_names(o)) {
            opts += (opts.empty() ? "" : " ") + n;
            if (takes_value(o)) values += (values.empty() ? "" : " ") + n;
        }
    }
    subcommands += fmt::format("        [\"{}\"]=\"{}\"\n", path, subs);
    options += fmt::format("        [\"{}\"]=\"{}\"\n", path, opts);
    value_options += fmt::format("        [\"{}\"]=\"{}\"\n", path, values);
    for (const CLI::App* child : visible_subcommands(command)) {
        completion_tables(*child, join_path(path, child->get_name()), subcommands, options, value_options);
    }
}

// The keys of the --json output of each command that has it, nested keys in parentheses. Written here, beside
// the rest of the man page; tests/cli/test_docs.py compares them with what the commands print.
struct JsonKeys {
    const char* command;
    const char* keys;
};
constexpr JsonKeys json_keys[] = {
    {"inspect",
     "format_version, verified, file_size, header_size, chunk_size, chunk_count, metadata (name, version, "
     "description, created, created_utc, openvino_version, sealed_by), entries (name, kind, kind_name, size), "
     "stanzas (type), unknown_records, license_only, signature (signer_key_id, model_id; or null)"},
    {"verify",
     "file, verified, entries (a count), chunk_count, file_size, seconds, signed, signer_key_id, model_id (null "
     "when unsigned), signature_verified, opened_unsigned_by_device, license_only"},
    {"license inspect",
     "file, size, signature_valid, model_id, device, not_before, not_before_utc, expires, expires_utc (null when "
     "the license has no such limit), signer_key_id, signer, note"},
};

void man_json(std::string& out) {
    out +=
        ".SH JSON OUTPUT\nWith \\fB\\-\\-json\\fR, a command prints one JSON object on standard output, with "
        "these stable keys:\n";
    for (const auto& [command, keys] : json_keys) out += ".TP\n.B " + roff(command) + "\n" + roff(keys) + "\n";
    out += ".PP\n" +
           roff(
               "A failure prints {\"error\": {\"code\": N, \"name\": \"...\", \"message\": \"...\"}} "
               "on standard output instead (where the result would have been), keeps the 'ovseal: error:' "
               "line on standard error and exits with the same code as without --json.") +
           "\n";
}

// Every error code with its stable name, in order: the enum's values are dense from 0 and error_name() knows
// each of them.
std::vector<std::pair<int, std::string_view>> error_codes() {
    std::vector<std::pair<int, std::string_view>> codes;
    for (int code = 0; code < 256; ++code) {
        const auto name = error_name(static_cast<ErrorCode>(code));
        if (name != "unknown") codes.emplace_back(code, name);
    }
    return codes;
}

}  // namespace

std::string exit_codes_help() {
    constexpr std::size_t columns = 3;
    const auto codes = error_codes();
    std::size_t width = 0;
    for (const auto& [code, name] : codes) width = std::max(width, name.size());
    const std::size_t rows = (codes.size() + columns - 1) / columns;
    std::string out = "Exit codes:\n";
    for (std::size_t row = 0; row < rows; ++row) {
        std::string line;
        for (std::size_t column = 0; column < columns; ++column) {
            const std::size_t i = column * rows + row;
            if (i >= codes.size()) break;
            line += fmt::format("{:>3} {:<{}}", codes[i].first, codes[i].second, width + 1);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string man_page(const CLI::App& app, std::string_view environment) {
    std::string out = ".\\\" Generated by 'ovseal help --man' from the command-line definition; do not edit.\n";
    out += fmt::format(".TH OVSEAL 1 \"\" \"ovseal {}\" \"User Commands\"\n", ovseal::version());
    out += ".SH NAME\novseal \\- seal OpenVINO models and load them sealed\n";
    out += ".SH SYNOPSIS\n.B ovseal\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n";
    out += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
    out += ".SH GLOBAL OPTIONS\n";
    man_options(out, app);
    out += ".SH COMMANDS\n";
    for (const CLI::App* command : visible_subcommands(app)) man_command(out, *command, command->get_name());
    man_json(out);
    out +=
        ".SH EXIT STATUS\nThe exit code is the value of the error (the same values as the error codes of "
        "the file format):\n";
    for (const auto& [code, name] : error_codes()) out += fmt::format(".TP\n.B {}\n{}\n", code, roff(name));
    out += ".SH ENVIRONMENT\n" + roff(environment) + "\n";
    out += ".SH FILES\nA bash completion script is printed by \\fBovseal completion bash\\fR.\n";
    return out;
}

std::string bash_completion(const CLI::App& app) {
    std::string subcommands, options, value_options;
    completion_tables(app, "ovseal", subcommands, options, value_options);
    return fmt::format(R"(# bash completion for ovseal, generated by 'ovseal completion bash'.
# Load it with:  source <(ovseal completion bash)
_ovseal() {{
    local -A subcommands=(
{}    )
    local -A options=(
{}    )
    local -A value_options=(
{}    )
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" path="ovseal" i w
    ((COMP_CWORD > 0)) && prev="${{COMP_WORDS[COMP_CWORD - 1]}}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if [[ " ${{subcommands[$path]}} " == *" $w "* ]]; then
            path="$path $w"
        fi
    done
    if [[ -n "$prev" && " ${{value_options[$path]}} " == *" $prev "* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "${{options[$path]}}" -- "$cur"))
    elif [[ -n "${{subcommands[$path]}}" ]]; then
        COMPREPLY=($(compgen -W "${{subcommands[$path]}}" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _ovseal ovseal
)",
                       subcommands, options, value_options);
}

void add_doc_commands(CLI::App& app, std::string environment) {
    auto* help = app.add_subcommand("help", "Print help, or the man page in roff with --man");
    help->group("");  // hidden: --help is the documented way
    auto man = std::make_shared<bool>(false);
    help->add_flag("--man", *man, "Print the man page (roff)");
    help->final_callback(
        [&app, man, environment] { fmt::print("{}", *man ? man_page(app, environment) : app.help()); });

    auto* completion = app.add_subcommand("completion", "Print a shell completion script");
    auto shell = std::make_shared<std::string>();  // CLI11 writes the value while parsing: the callback keeps it
    completion->add_option("shell", *shell, "The shell: bash")->required()->check(CLI::IsMember({"bash"}));
    completion->final_callback([&app, shell] { fmt::print("{}", bash_completion(app)); });
}

}  // namespace ovseal::cli
