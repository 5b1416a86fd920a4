"""A real WordPress for the plugin's tests: Debian's `wordpress` package (6.1), MariaDB and PHP's
built-in server, all on local ports with a fresh database and content folder per run. Nothing of the
machine's own WordPress setup is touched but one config file named for this run
(/etc/wordpress/config-ringkas<port>.php, removed afterwards), which Debian's wp-config.php picks by
the WORDPRESS_CONFIG variable the server passes on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import REPO_ROOT, free_port, spawn, stop, wait_listening

WORDPRESS = Path("/usr/share/wordpress")
CONTENT = Path("/var/lib/wordpress/wp-content")
PLUGIN = REPO_ROOT / "integrations" / "wordpress" / "ringkas"
USERS = {  # login -> role
    "admin": "administrator",
    "editor": "editor",
    "author": "author",
    "contributor": "contributor",
    "subscriber": "subscriber",
}
PASSWORD = "ringkas-test-Pa55"
HELPERS = REPO_ROOT / "tests" / "data" / "wordpress_helpers.php"
# A newsroom's own code, as a theme or mu-plugin has it: a `berita` post type, and the Classic editor
# when the test asks for it (option ringkas_test_classic).
MU_PLUGIN = """<?php
add_action('init', function () {
    register_post_type('berita', ['label' => 'Berita', 'public' => true, 'show_in_rest' => true,
        'supports' => ['title', 'editor', 'excerpt', 'custom-fields', 'author']]);
});
add_filter('use_block_editor_for_post', function ($use) {
    return get_option('ringkas_test_classic') ? false : $use;
});
"""
ROUTER = """<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (strpos($path, '/wp-content/') !== 0) {
    return false;
}
$file = realpath('CONTENT_DIR' . substr($path, strlen('/wp-content')));
$types = ['js' => 'text/javascript', 'css' => 'text/css', 'png' => 'image/png', 'svg' => 'image/svg+xml',
    'json' => 'application/json', 'woff2' => 'font/woff2', 'jpg' => 'image/jpeg', 'gif' => 'image/gif'];
$type = $types[pathinfo((string) $file, PATHINFO_EXTENSION)] ?? null;
if ($file === false || !is_file($file) || $type === null) {
    http_response_code(404);
    return true;
}
header('Content-Type: ' . $type);
readfile($file);
return true;
"""


def tool(name: str) -> str | None:
    """A program's path; MariaDB's server lives in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin")


def missing() -> str | None:
    """Why a real WordPress cannot run here, or None."""
    for name in ("mariadbd", "mariadb-install-db", "mariadb", "php"):
        if tool(name) is None:
            return f"{name} is missing (apt-get install wordpress mariadb-server php-cli)"
    if not (WORDPRESS / "wp-settings.php").is_file():
        return "Debian's wordpress package is missing (apt-get install wordpress)"
    if not os.access("/etc/wordpress", os.W_OK):
        return "/etc/wordpress is not writable (the site's config file goes there)"
    return None


@dataclass
class Site:
    root: Path
    url: str = ""
    processes: list = field(default_factory=list)
    config: Path | None = None
    db_socket: Path | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Site:
        db_dir, content = self.root / "db", self.root / "wp-content"
        db_dir.mkdir()
        install = [tool("mariadb-install-db"), "--user=root", f"--datadir={db_dir}"]
        subprocess.run([*install, "--auth-root-authentication-method=normal"], check=True, capture_output=True)
        self.db_socket = db_dir / "mysql.sock"
        db_port = free_port()
        self._spawn(
            [
                tool("mariadbd"), "--user=root", f"--datadir={db_dir}", f"--socket={self.db_socket}",
                f"--port={db_port}",
                "--bind-address=127.0.0.1", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
            ],
            "mariadb.log",
        )  # fmt: skip
        wait_listening(db_port, self.processes[-1], timeout=60)
        self.sql(
            "CREATE DATABASE wp; CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'wp';GRANT ALL ON wp.* TO 'wp'@'127.0.0.1';"
        )
        shutil.copytree(CONTENT, content, symlinks=True)
        (content / "plugins" / "ringkas").symlink_to(PLUGIN)
        (content / "mu-plugins").mkdir(exist_ok=True)
        (content / "mu-plugins" / "ringkas-test-site.php").write_text(MU_PLUGIN, encoding="utf-8")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.config = Path(f"/etc/wordpress/config-ringkas{port}.php")
        self.config.write_text(
            "<?php\n"
            f"define('DB_NAME', 'wp'); define('DB_USER', 'wp'); define('DB_PASSWORD', 'wp');\n"
            f"define('DB_HOST', '127.0.0.1:{db_port}');\n"
            f"define('WP_CONTENT_DIR', '{content}');\n"
            f"define('WP_HOME', '{self.url}'); define('WP_SITEURL', '{self.url}');\n"
            "define('WP_DEBUG', true); define('WP_DEBUG_LOG', true); define('WP_DEBUG_DISPLAY', false);\n"
            "define('DISABLE_WP_CRON', true);\n"  # the tests run cron when they mean to
            "define('AUTOMATIC_UPDATER_DISABLED', true); define('WP_HTTP_BLOCK_EXTERNAL', true);\n"
            "define('WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost');\n"
            "$table_prefix = 'wp_';\n",
            encoding="utf-8",
        )
        # PHP's server does not put the environment in $_SERVER, where Debian's wp-config.php looks.
        prepend = self.root / "prepend.php"
        prepend.write_text(f"<?php $_SERVER['WORDPRESS_CONFIG'] = 'ringkas{port}';\n", encoding="utf-8")
        # Apache serves /wp-content from Debian's content folder by an Alias; here a router does, from
        # this run's folder (static files only: no PHP runs from there).
        router = self.root / "router.php"
        router.write_text(ROUTER.replace("CONTENT_DIR", str(content)), encoding="utf-8")
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        command = ["php", "-d", f"auto_prepend_file={prepend}", "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS)]
        command.append(str(router))
        self._spawn(command, "php.log", env)
        wait_listening(port, self.processes[-1], timeout=30)
        self._install()
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process, 20)  # with its group: `php -S` leaves its PHP_CLI_SERVER_WORKERS running
        if self.config and self.config.exists():
            self.config.unlink()

    def _spawn(self, command: list[str], log: str, env=None) -> None:
        out = (self.root / log).open("wb")
        self.processes.append(spawn(command, stdout=out, stderr=subprocess.STDOUT, env=env))

    # --- helpers -----------------------------------------------------------------------------
    def sql(self, statements: str) -> str:
        return subprocess.run(
            ["mariadb", f"--socket={self.db_socket}", "-uroot", "-N", "-e", statements],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def php(self, code: str) -> str:
        """Runs PHP inside this WordPress (wp-load.php), as the CLI: for set-up and for checks."""
        script = (
            "<?php $_SERVER['HTTP_HOST'] = '" + urllib.parse.urlparse(self.url).netloc + "';"
            "$_SERVER['WORDPRESS_CONFIG'] = '" + self.config.stem.removeprefix("config-") + "';"
            "define('WP_USE_THEMES', false); require '" + str(WORDPRESS / "wp-load.php") + "';"
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
            "require_once '" + str(HELPERS) + "';" + code
        )
        path = self.root / "run.php"
        path.write_text(script, encoding="utf-8")
        done = subprocess.run(["php", str(path)], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"PHP failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def _install(self) -> None:
        form = urllib.parse.urlencode(
            {
                "weblog_title": "Ringkas test",
                "user_name": "admin",
                "admin_password": PASSWORD,
                "admin_password2": PASSWORD,
                "pw_weak": "on",
                "admin_email": "admin@example.test",
                "blog_public": "0",
            }
        ).encode()
        with urllib.request.urlopen(f"{self.url}/wp-admin/install.php?step=2", data=form, timeout=120) as answer:
            assert b"Success" in answer.read(), "WordPress did not install"
        users = {name: role for name, role in USERS.items() if name != "admin"}
        self.php(f"ringkas_test_users(json_decode('{json.dumps(users)}', true), '{PASSWORD}');")

    def settings(self, **values) -> None:
        self.php(f"update_option('ringkas_settings', json_decode('{json.dumps(values)}', true));")

    def run_cron(self) -> int:
        """Runs the due WP-Cron events now, as the request WordPress spawns would; how many ran."""
        return int(self.php("echo ringkas_test_run_cron();"))

    def post(self, post_id: int) -> dict:
        """A post's excerpt, content, status and ringkas_* meta, read inside WordPress."""
        return json.loads(self.php(f"echo wp_json_encode(ringkas_test_post_state({post_id}));"))


def started(root: Path, deadline_s: float = 240) -> Site:
    site = Site(root)
    start = time.monotonic()
    try:
        site.start()
    except Exception:
        site.stop()
        raise
    assert time.monotonic() - start < deadline_s
    return site
