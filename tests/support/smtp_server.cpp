#include "support/smtp_server.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/command.hpp"

namespace authd::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, which has aiosmtpd

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

SmtpServer::SmtpServer() : SmtpServer(Options{}) {}

SmtpServer::SmtpServer(Options options) : options_(std::move(options)) {
  start();
}

SmtpServer::~SmtpServer() {
  stop();
}

std::string SmtpServer::certificate() {
  return AUTHD_SOURCE_DIR "/tests/data/smtp/localhost.pem";
}

void SmtpServer::start() {
  if (pid_ > 0) return;
  const std::string port_file = dir_.file("port");
  std::filesystem::remove(port_file);
  std::vector<std::string> args = {kPython,       AUTHD_SOURCE_DIR "/tests/mail/smtp_server.py",
                                   "--maildir",   dir_.file("maildir"),
                                   "--port-file", port_file,
                                   "--port",      std::to_string(port_)};
  if (options_.tls) {
    args.insert(args.end(), {"--tls-cert", certificate(), "--tls-key",
                             AUTHD_SOURCE_DIR "/tests/data/smtp/localhost.key"});
  }
  if (!options_.auth.empty()) args.insert(args.end(), {"--auth", options_.auth});
  if (options_.defer_first > 0) {
    args.insert(args.end(), {"--defer-first", std::to_string(options_.defer_first)});
  }
  for (const auto& address : options_.reject) args.insert(args.end(), {"--reject", address});
  if (options_.hold_first.count() > 0) {
    args.insert(args.end(), {"--hold-first", std::to_string(options_.hold_first.count())});
  }

  const std::string log = dir_.file("smtp-server.log");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (std::freopen(log.c_str(), "a", stderr) == nullptr) ::_exit(127);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(port_file)) {
      port_ = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the SMTP server exited during start-up:\n" + read_file(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the SMTP server did not start within 15 s:\n" + read_file(log));
}

void SmtpServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::vector<std::string> SmtpServer::messages() const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir_.path() / "maildir" / "new", ec)) {
    files.push_back(entry.path());
  }
  // Maildir names start with the delivery time in seconds, then a per-process counter (Q...).
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b);
  });
  std::vector<std::string> out;
  for (const auto& file : files) out.push_back(read_file(file));
  return out;
}

std::vector<std::string> SmtpServer::wait_for(std::size_t count,
                                              std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto found = messages();
  while (found.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    found = messages();
  }
  return found;
}

std::string mail_header(const std::string& message, const std::string& name) {
  std::istringstream in(message);
  std::string lower_name = name + ":";
  std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(), ::tolower);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;  // the end of the header section
    std::string lower = line.substr(0, lower_name.size());
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == lower_name) {
      std::string value = line.substr(lower_name.size());
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
  }
  return "";
}

std::string decoded_mail(const std::string& message) {
  TempDir dir;
  {
    std::ofstream out(dir.file("message"), std::ios::binary);
    out << message;
  }
  const std::string script = R"py(
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                  "message_id": str(m["message-id"]),
                  "text": m.get_body(("plain",)).get_content(),
                  "html": m.get_body(("html",)).get_content()}))
)py";
  {
    std::ofstream out(dir.file("decode.py"));
    out << script;
  }
  const auto result =
      run_command(std::string(kPython) + " " + dir.file("decode.py") + " " + dir.file("message"));
  if (result.exit_status != 0)
    throw std::runtime_error("cannot decode the message: " + result.output);
  return result.output;
}

}  // namespace authd::test
