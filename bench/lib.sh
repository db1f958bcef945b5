# Shared by the bench scripts (sourced): tools, ports, the generated site.

# need CMD PACKAGE installs PACKAGE with apt when CMD is missing.
need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; apt-get install -y --no-install-recommends "$2" >/dev/null; }; }

# port prints a loopback port that was free a moment ago.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_site DIR writes the benchmark site into DIR — one small page,
# 1,000 small files, one 1 MiB file — and DIR.lua, a wrk script that
# requests a random one of the small files.
make_site() {
  mkdir -p "$1/small"
  python3 - "$1" <<'PY'
import os, sys, random
site = sys.argv[1]
random.seed(1)
page = "<!doctype html><title>bench</title>" + "<p>" + "lorem ipsum dolor sit amet " * 30 + "</p>\n"
open(os.path.join(site, "index.html"), "w").write(page)
for i in range(1000):
    open(os.path.join(site, "small", "f%04d.html" % i), "w").write(page.replace("bench", "bench %d" % i))
open(os.path.join(site, "big.bin"), "wb").write(random.randbytes(1 << 20))
PY
  cat > "$1.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/small/f%04d.html", math.random(0, 999)))
end
LUA
}
