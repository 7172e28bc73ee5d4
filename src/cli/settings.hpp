// Every setting of authd, declared once: its flag, environment variable, accepted values, help
// text and where it lands in ServeConfig. --help, the README's settings table (checked by
// tests/unit/settings_test.cpp) and the resolved configuration all come from this one table.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "cli/config.hpp"

namespace authd::cli {

// Which commands take a setting, each scope including the ones before it: `store` settings
// locate the store and its keys (every command); `accounts` ones decide how passwords are
// checked and hashed (also the commands that set passwords); the rest are for `authd serve`.
enum class SettingScope { store, accounts, serve };

struct Setting {
  std::string flag;    // "--access-token-ttl"
  std::string env;     // "AUTHD_ACCESS_TOKEN_TTL"
  std::string values;  // what it accepts, for --help and the README: "60-86400", "text | json"
  std::string help;    // one or two sentences, shown in --help and in the README
  SettingScope scope = SettingScope::serve;
  enum class Form { value, flag, list } form = Form::value;  // a flag takes no value
  // Parses one given value into the configuration; throws std::invalid_argument with a message
  // for the operator that names the flag.
  std::function<void(ServeConfig&, std::string_view)> apply;
  // The value as the configuration holds it, to show a default-constructed one's.
  std::function<std::string(const ServeConfig&)> show;
};

// The table, in the order of --help and the README.
std::span<const Setting> all_settings();

// What the operator set, by flag or environment variable (a flag wins), keyed by flag.
using GivenSettings = std::map<std::string, std::string, std::less<>>;

// Registers the settings of `scope` (and the store ones) on a command; parsing fills `given`.
void add_settings(CLI::App& command, SettingScope scope, GivenSettings& given);

// Applies the given settings over the defaults and checks what spans several of them. Throws
// std::invalid_argument with a message meant for the operator. `serving` false is for the
// offline commands, which need the store and the key-encryption key but no JWT secret.
ServeConfig resolve(const GivenSettings& given, bool serving = true);

// The README's settings table (markdown), generated from the table above.
std::string settings_markdown();

}  // namespace authd::cli
