// A stand-in for GitHub's CLI, for the workflow steps that open or update one pull request. It records each call
// as a line of `calls` in $GH_STAND_IN_DIR and, argument per line, as `call-<n>`; a `--body-file` is copied to
// `body-<n>` and to `body` (the latest). It holds one pull request, number 1, opened by `pr create`.
export const GH_STAND_IN = `# Stand-in for GitHub's CLI (test/support/workflows/gh.ts).
set -euo pipefail
state="$GH_STAND_IN_DIR"
printf '%s\\n' "$*" >> "$state/calls"
n=$(find "$state" -name 'call-*' | wc -l)
printf '%s\\n' "$@" > "$state/call-$n"
args=("$@")
for i in "\${!args[@]}"; do
  if [ "\${args[$i]}" = --body-file ]; then
    cp "\${args[$((i + 1))]}" "$state/body-$n"
    cp "\${args[$((i + 1))]}" "$state/body"
  fi
done
case "$1 $2" in
  "pr list") if [ -f "$state/pr" ]; then cat "$state/pr"; fi ;;
  "pr create") echo 1 > "$state/pr"; echo "https://github.com/local/repository/pull/1" ;;
  "pr edit") echo "https://github.com/local/repository/pull/$3" ;;
  *) echo "gh stand-in: $* is not answered" >&2; exit 1 ;;
esac
`;
