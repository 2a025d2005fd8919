# Shared settings for the scripts: where the Python 3.14 environment lives and how to run a command inside it.
# Sourced, not executed.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${BELLAS_REEF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bellas-reef}
# Bump when the base system changes; requirements changes only re-sync the venv.
ROOTFS_VERSION=sid-py314-v1
ROOTFS="$CACHE_DIR/$ROOTFS_VERSION"
# Inside the root file system the checkout is mounted here.
PROJECT_MOUNT=/project
PYTHON_MIN=3.14.2

host_python() {
    # A host Python that is new enough wins over the root file system.
    local candidate
    for candidate in python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c "import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)" 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if HOST_PY=$(host_python); then
    ENV_KIND=host
    VENV="$REPO_ROOT/.venv"
else
    ENV_KIND=rootfs
    VENV=/opt/venv
fi

# in_env CMD...: run CMD with the project's Python environment first on PATH, from the project root.
in_env() {
    if [ "$ENV_KIND" = host ]; then
        (cd "$REPO_ROOT" && PATH="$VENV/bin:$PATH" "$@")
    else
        local quoted
        quoted=$(printf '%q ' "$@")
        unshare --mount --propagation private -- sh -c '
            set -e
            root=$1; project=$2; mountpoint=$3; shift 3
            mount --bind "$project" "$root$mountpoint"
            mount -t proc proc "$root/proc"
            mount -t tmpfs tmpfs "$root/tmp"
            mount --bind /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
            exec chroot "$root" /usr/bin/env -i \
                HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
                PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
                SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
                PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \
                BELLAS_REEF_PG_DSN="${BELLAS_REEF_PG_DSN:-}" \
                sh -c "cd $mountpoint && exec $*"
        ' sh "$ROOTFS" "$REPO_ROOT" "$PROJECT_MOUNT" "$quoted"
    fi
}
