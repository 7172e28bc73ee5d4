#include "cli/import.hpp"

#include <stdlib.h>
#include <sys/resource.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "cli/admin_tool.hpp"
#include "cli/serve.hpp"
#include "cli/settings.hpp"
#include "core/audit_trail.hpp"
#include "import/importer.hpp"
#include "import/jsonl_accounts.hpp"
#include "import/legacy_apps.hpp"
#include "import/source_database.hpp"

namespace authd::cli {
namespace {

// A folder of its own under the temporary directory, removed with what it holds.
struct TempFolder {
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "authd-dry-run.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make a temporary folder");
    path = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::filesystem::path path;
};

struct Arguments {
  GivenSettings given;
  std::string format;
  std::string source;
  bool dry_run = false;
  bool skip_conflicts = false;
  std::string report_file;
};

const std::map<std::string, import::LegacyApp> kLegacyFormats = {
    {"seed000", import::LegacyApp::seed000},
    {"seed002", import::LegacyApp::seed002},
    {"seed003", import::LegacyApp::seed003},
};

std::unique_ptr<import::AccountSource> open_source(const Arguments& args) {
  if (args.format == "jsonl") return import::jsonl_source(args.source);
  return import::legacy_app_source(kLegacyFormats.at(args.format),
                                   import::open_source_database(args.source));
}

boost::json::object report_json(const Arguments& args, const import::ImportReport& report) {
  boost::json::array problems;
  for (const auto& row : report.problems) {
    boost::json::object problem{{"row", row.ordinal}, {"email", row.email}, {"reason", row.reason}};
    problem["id"] = row.id ? boost::json::value(*row.id) : boost::json::value(nullptr);
    problems.push_back(std::move(problem));
  }
  boost::json::object json{{"format", args.format},
                           {"dry_run", args.dry_run},
                           {"skip_conflicts", args.skip_conflicts},
                           {"read", report.read},
                           {"imported", report.imported},
                           {"inactive", report.inactive},
                           {"sessions", report.sessions},
                           {"written", report.written},
                           {"problems", std::move(problems)}};
  json["next_id_above"] = report.next_id_above ? boost::json::value(*report.next_id_above)
                                               : boost::json::value(nullptr);
  json["failure"] =
      report.failure.empty() ? boost::json::value(nullptr) : boost::json::value(report.failure);
  return json;
}

// Text from the source as a terminal shows it: control characters (a forged line, an escape
// sequence) written as \xNN.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

void print_summary(const Arguments& args, const import::ImportReport& report) {
  for (const auto& row : report.problems) {
    std::cerr << "row " << row.ordinal << " (id "
              << (row.id ? std::to_string(*row.id) : std::string("?")) << ", "
              << printable(row.email) << "): " << printable(row.reason) << "\n";
  }
  const auto skipped = static_cast<std::int64_t>(report.problems.size());
  std::cerr << "authd import: read " << report.read << " accounts; ";
  if (!report.failure.empty()) {
    std::cerr << report.failure << "; " << report.imported << " written before it\n";
    return;
  }
  if (args.dry_run) {
    std::cerr << "a dry run: " << report.imported << " would be imported, " << skipped
              << (args.skip_conflicts ? " skipped" : " in the way") << "; nothing written\n";
    return;
  }
  if (!report.written && skipped > 0 && !args.skip_conflicts) {
    std::cerr << skipped
              << " cannot be imported; nothing written (--skip-conflicts imports the rest)\n";
    return;
  }
  std::cerr << "imported " << report.imported << " (" << report.inactive << " inactive, "
            << report.sessions << " live sessions)";
  if (skipped > 0) std::cerr << ", skipped " << skipped;
  if (report.next_id_above) std::cerr << "; new accounts get ids above " << *report.next_id_above;
  std::cerr << "\n";
}

// How long it took and the memory it needed (bench/import.sh reads this line).
void print_cost(const import::ImportReport& report, std::chrono::steady_clock::duration took) {
  const double seconds = std::chrono::duration<double>(took).count();
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  char line[160];
  std::snprintf(line, sizeof line, "authd import: %.1f s, %.0f accounts/s, peak memory %ld MiB\n",
                seconds, seconds > 0 ? static_cast<double>(report.read) / seconds : 0.0,
                usage.ru_maxrss / 1024);
  std::cerr << line;
}

int run_import(const Arguments& args) {
  ServeConfig config = resolve(args.given, /*serving=*/false);
  // A dry run writes nothing anywhere: it reads an existing store, and checks against an empty
  // one (a throwaway file) when the SQLite store is not made yet. An import makes the store as
  // `authd serve` does: it may come before the first start.
  std::optional<TempFolder> scratch;
  if (args.dry_run) {
    if (config.store_kind == ServeConfig::StoreKind::sqlite &&
        !std::filesystem::exists(config.sqlite_path)) {
      scratch.emplace();
      config.sqlite_path = (scratch->path / "authd.db").string();
    }
  } else {
    load_generated_secrets(config);
  }
  std::unique_ptr<import::AccountSource> source;
  try {
    source = open_source(args);
  } catch (const import::SourceError& e) {
    std::cerr << "authd import: " << e.what() << "\n";
    return store_failed;
  }
  const std::unique_ptr<store::Store> store =
      open_store(config, args.dry_run && !scratch ? store::OpenMode::existing
                                                  : store::OpenMode::create_and_migrate);
  core::SystemClock clock;
  const std::unique_ptr<import::Progress> progress = import::progress_on_stderr(false);
  import::Importer importer(*store, clock,
                            {.dry_run = args.dry_run,
                             .skip_conflicts = args.skip_conflicts,
                             .session_ttl = config.auth.session_ttl},
                            *progress);
  import::ImportReport report;
  const auto started = std::chrono::steady_clock::now();
  try {
    report = importer.run(*source);
  } catch (const import::SourceError& e) {
    std::cerr << "authd import: " << e.what() << "\n";
    return store_failed;
  }
  print_summary(args, report);
  print_cost(report, std::chrono::steady_clock::now() - started);
  if (!args.report_file.empty()) {
    std::ofstream out(args.report_file, std::ios::trunc);
    out << boost::json::serialize(report_json(args, report)) << "\n";
    if (!out) {
      std::cerr << "authd import: cannot write the report to " << args.report_file << "\n";
      return store_failed;
    }
  }
  if (report.written) {
    core::AuditTrail(*store, clock)
        .record(core::Actor::cli(), core::AdminAction::accounts_imported, std::nullopt,
                report.failure.empty() ? "success" : "failure",
                std::to_string(report.imported) + " accounts (" + args.format + ")");
  }
  if (!report.failure.empty()) return store_failed;
  if (!report.problems.empty() && !args.skip_conflicts) return conflict;
  return done;
}

}  // namespace

std::function<std::optional<int>()> add_import_command(CLI::App& app) {
  auto args = std::make_shared<Arguments>();
  CLI::App* command = app.add_subcommand(
      "import",
      "Take over the accounts of an app authd replaces: ids, password hashes (upgraded at each "
      "first login), names, roles, active flags, times and live sessions. All or nothing unless "
      "--skip-conflicts");
  command
      ->add_option("FORMAT", args->format,
                   "seed000 | seed002 | seed003 (the apps' databases) | jsonl (one JSON object "
                   "per line, README)")
      ->required()
      ->check(CLI::IsMember({"seed000", "seed002", "seed003", "jsonl"}));
  command
      ->add_option("SOURCE", args->source,
                   "sqlite:PATH | postgresql://... | mysql://... for the seed formats; a file or "
                   "- (standard input) for jsonl")
      ->required();
  command->add_flag("--dry-run", args->dry_run, "Check and report; write nothing");
  command->add_flag("--skip-conflicts", args->skip_conflicts,
                    "Import the rows that can be, list the others (of rows that are one account "
                    "under authd's email rules, the lowest id is kept)");
  command->add_option("--report", args->report_file,
                      "Also write the outcome, with every row not imported, as JSON to FILE");
  add_settings(*command, SettingScope::accounts, args->given);
  return [=]() -> std::optional<int> {
    if (!command->parsed()) return std::nullopt;
    log_to_stderr();
    return run_import(*args);
  };
}

}  // namespace authd::cli
