// Opens N keep-alive connections to a server, sends one request on each, and keeps them open
// and idle until killed: the load for "RSS with 10k idle keep-alive connections".
// Usage: authd_idle_connections PORT COUNT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PORT COUNT\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int count = std::atoi(argv[2]);
  rlimit limit{static_cast<rlim_t>(count + 64), static_cast<rlim_t>(count + 64)};
  setrlimit(RLIMIT_NOFILE, &limit);
  static const char kRequest[] = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
  std::vector<int> sockets;
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::fprintf(stderr, "connection %d failed\n", i);
      return 1;
    }
    if (write(fd, kRequest, sizeof kRequest - 1) < 0) return 1;
    char response[512];
    if (read(fd, response, sizeof response) <= 0) return 1;
    sockets.push_back(fd);
  }
  std::printf("open %d\n", count);
  std::fflush(stdout);
  pause();
}
