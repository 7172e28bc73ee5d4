#include "import/importer.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>
#include <variant>

#include "core/auth_service.hpp"
#include "core/email.hpp"
#include "core/gateway_check.hpp"
#include "crypto/digest.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/random.hpp"
#include "import/source_database.hpp"

namespace authd::import {
namespace {

// 128 bits of the SHA-256 of a canonical email: what the first pass keeps of each row to find
// two rows that are one account (a collision by chance is beyond any database's size).
using EmailDigest = std::pair<std::uint64_t, std::uint64_t>;

EmailDigest digest_of(std::string_view email_key) {
  const std::string sha = crypto::sha256(email_key);
  EmailDigest digest;
  std::memcpy(&digest.first, sha.data(), sizeof digest.first);
  std::memcpy(&digest.second, sha.data() + sizeof digest.first, sizeof digest.second);
  return digest;
}

struct SeenRow {
  EmailDigest email{};
  std::int64_t id = 0;
  std::int64_t ordinal = 0;
};

// A source row as authd will store it, or why it cannot be.
using Conversion = std::variant<store::ImportedUser, std::string>;

Conversion convert(SourceAccount&& account, util::TimePoint now, std::chrono::seconds session_ttl) {
  if (!account.defect.empty()) return std::move(account.defect);
  const auto email = core::canonicalize_email(account.email);
  if (!email) return std::string("the email is not an address authd accepts");
  if (!crypto::is_verifiable_hash(account.password_hash)) {
    return std::string(
        "the password hash is not one authd verifies (bcrypt $2a$/$2b$/$2y$, argon2id, argon2i, "
        "scrypt or PBKDF2-SHA256 in PHC form, with bounded costs)");
  }
  if (!core::valid_name(account.first_name) || !core::valid_name(account.last_name)) {
    return "a name is longer than " + std::to_string(core::kMaxNameBytes) +
           " bytes or holds control characters";
  }
  store::ImportedUser user{
      .id = *account.id,
      .email = email->display,
      .email_key = email->key,
      .password_hash = std::move(account.password_hash),
      .first_name = std::move(account.first_name),
      .last_name = std::move(account.last_name),
      .is_active = account.is_active,
      .last_login = account.last_login,
      .created_at = account.created_at.value_or(now),
      .updated_at = account.updated_at.value_or(account.created_at.value_or(now)),
  };
  for (std::string& role : account.roles) {
    if (!core::valid_role_name(role)) return "the role name " + role + " is not one authd accepts";
    if (core::is_reserved_role(role)) return "the role " + role + " is reserved for authd";
    if (std::find(user.roles.begin(), user.roles.end(), role) == user.roles.end()) {
      user.roles.push_back(std::move(role));
    }
  }
  if (account.session && account.is_active) {
    if (!core::looks_like_opaque_token(account.session->token)) {
      return std::string("the session token is not of a shape authd can check");
    }
    user.session = store::NewSession{
        .family = store::SessionFamily::opaque,
        .public_id = crypto::random_token(16),
        .token_hash = crypto::sha256_hex(account.session->token),
        .created_at = account.session->issued_at.value_or(now),
        .expires_at = now + session_ttl,
    };
  }
  return user;
}

}  // namespace

ImportReport Importer::run(AccountSource& source) {
  const util::TimePoint now = clock_.now();
  ImportReport report;
  std::map<std::int64_t, RowProblem> problems;  // by ordinal
  const auto problem = [&](std::int64_t ordinal, const std::optional<std::int64_t>& id,
                           std::string email, std::string reason) {
    problems.try_emplace(
        ordinal,
        RowProblem{
            .ordinal = ordinal, .id = id, .email = std::move(email), .reason = std::move(reason)});
  };

  // First pass: every row on its own, and against the store, a batch at a time.
  std::vector<SeenRow> seen;
  std::vector<store::ImportedUser> batch;
  std::vector<std::int64_t> batch_ordinals;
  std::string store_failure;
  const auto check_batch = [&] {
    if (batch.empty() || !store_failure.empty()) return;
    auto clashes = store_.find_import_clashes(batch, now);
    if (!clashes) {
      store_failure = "the store could not be read: " + clashes.error().message();
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const store::ImportedUser& user = batch[i];
      if (std::find(clashes->ids.begin(), clashes->ids.end(), user.id) != clashes->ids.end()) {
        problem(batch_ordinals[i], user.id, user.email,
                "the id is another account's in authd's store");
      } else if (std::find(clashes->email_keys.begin(), clashes->email_keys.end(),
                           user.email_key) != clashes->email_keys.end()) {
        problem(batch_ordinals[i], user.id, user.email,
                "the email is another account's in authd's store");
      } else if (std::find(clashes->held_email_keys.begin(), clashes->held_email_keys.end(),
                           user.email_key) != clashes->held_email_keys.end()) {
        problem(batch_ordinals[i], user.id, user.email,
                "the email is held for another account in authd's store (its email change can "
                "still be reverted to it)");
      }
    }
    batch.clear();
    batch_ordinals.clear();
  };
  progress_.start("checking", source.count());
  source.for_each([&](SourceAccount&& account) {
    ++report.read;
    const std::int64_t ordinal = account.ordinal;
    const std::optional<std::int64_t> id = account.id;
    std::string raw_email = account.email;
    Conversion converted = convert(std::move(account), now, options_.session_ttl);
    if (auto* reason = std::get_if<std::string>(&converted)) {
      problem(ordinal, id, std::move(raw_email), std::move(*reason));
    } else {
      auto& user = std::get<store::ImportedUser>(converted);
      seen.push_back({.email = digest_of(user.email_key), .id = user.id, .ordinal = ordinal});
      batch_ordinals.push_back(ordinal);
      batch.push_back(std::move(user));
      if (batch.size() >= options_.batch_size) check_batch();
    }
    progress_.update(report.read);
  });
  check_batch();
  progress_.finish(report.read);
  if (!store_failure.empty()) {
    report.failure = std::move(store_failure);
    return report;
  }

  // Rows that are one account under authd's rules: the lowest id is the one kept.
  std::sort(seen.begin(), seen.end(), [](const SeenRow& a, const SeenRow& b) {
    return std::tie(a.email, a.id, a.ordinal) < std::tie(b.email, b.id, b.ordinal);
  });
  for (std::size_t first = 0; first < seen.size();) {
    std::size_t next = first + 1;
    for (; next < seen.size() && seen[next].email == seen[first].email; ++next) {
      problem(seen[next].ordinal, seen[next].id, {},
              "the same account as id " + std::to_string(seen[first].id) +
                  " under authd's email rules (the emails differ only in letter case or "
                  "surrounding space); the lowest id is kept");
    }
    first = next;
  }
  // A repeated id (possible in an export): the first row is the one kept.
  std::sort(seen.begin(), seen.end(), [](const SeenRow& a, const SeenRow& b) {
    return std::tie(a.id, a.ordinal) < std::tie(b.id, b.ordinal);
  });
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i].id == seen[i - 1].id) {
      problem(seen[i].ordinal, seen[i].id, {}, "the id appears more than once in the source");
    }
  }
  const std::int64_t highest_id = seen.empty() ? 0 : seen.back().id;
  seen = {};

  const bool write = !options_.dry_run && (problems.empty() || options_.skip_conflicts);
  // Before the first batch: new accounts (a registration on a running server) get ids above
  // every imported one and the old app's sequence, so they cannot take an id a batch writes.
  const std::int64_t reserve = std::max(highest_id, source.highest_id_given().value_or(0));
  if (write) {
    if (auto reserved = store_.reserve_user_ids(reserve); !reserved) {
      report.failure = "the id sequence could not be raised above " + std::to_string(reserve) +
                       " (" + reserved.error().message() + "); nothing written";
      return report;
    }
    report.next_id_above = reserve;
  }

  // Second pass: the rows to write, a transaction per batch; and the emails of the problem
  // rows found by comparing rows (the first pass kept only digests).
  progress_.start(write ? "writing" : "reporting", report.read);
  std::int64_t passed = 0;
  const auto flush = [&] {
    if (batch.empty() || !report.failure.empty()) return;
    if (write) {
      auto written = store_.import_users(batch, now);
      if (!written) {
        report.failure = "the store refused the batch from id " + std::to_string(batch.front().id) +
                         " (" + written.error().message() + ")";
        batch.clear();
        return;
      }
      report.written = true;
    }
    for (const store::ImportedUser& user : batch) {
      ++report.imported;
      if (!user.is_active) ++report.inactive;
      if (user.session) ++report.sessions;
    }
    batch.clear();
  };
  source.for_each([&](SourceAccount&& account) {
    progress_.update(++passed);
    if (!report.failure.empty()) return;
    if (const auto found = problems.find(account.ordinal); found != problems.end()) {
      if (found->second.email.empty()) found->second.email = account.email;
      return;
    }
    Conversion converted = convert(std::move(account), now, options_.session_ttl);
    if (auto* user = std::get_if<store::ImportedUser>(&converted)) {
      batch.push_back(std::move(*user));
      if (batch.size() >= options_.batch_size) flush();
    }
  });
  flush();
  progress_.finish(passed);

  for (auto& [ordinal, row] : problems) report.problems.push_back(std::move(row));
  return report;
}

}  // namespace authd::import
