# A mkdocs hook standing in for the plantuml_markdown extension that mkdocs-techdocs-core enables (the PyPI
# package is not in Debian): with its defaults, each ```plantuml (or puml, uml) fence becomes the PNG that a local
# `plantuml -p -tpng` draws, as a data-URI <img class="uml" alt="uml diagram">. Unlike plantuml_markdown, which
# embeds PlantUML's error picture and logs an error, a diagram PlantUML cannot draw is a mkdocs warning, so
# `mkdocs build --strict` fails on it; image maps (the diagrams' hyperlinks) are not drawn.
import base64
import html
import logging
import re
import subprocess

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

log = logging.getLogger("mkdocs.hooks.plantuml")

FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})[ ]*(?:plantuml|puml|uml)\b[^\n]*\n"
    r"(?P<code>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)


def render(code):
    run = subprocess.run(
        ["plantuml", "-p", "-tpng", "-charset", "UTF-8"], input=code.encode("utf-8"), capture_output=True, check=False
    )
    if run.returncode != 0 or not run.stdout.startswith(b"\x89PNG"):
        raise ValueError(run.stderr.decode("utf-8", "replace").strip() or f"plantuml exited {run.returncode}")
    return run.stdout


class PlantumlPreprocessor(Preprocessor):
    def run(self, lines):
        text = "\n".join(lines)

        def image(match):
            try:
                png = render(match.group("code"))
            except (OSError, ValueError) as error:
                log.warning("a PlantUML diagram did not render: %s", error)
                return match.group(0)
            src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            tag = f'<p><img src="{html.escape(src)}" class="uml" alt="uml diagram" title="" /></p>'
            return f"{match.group('indent')}{self.md.htmlStash.store(tag)}"

        return FENCE.sub(image, text).split("\n")


class PlantumlExtension(Extension):
    def extendMarkdown(self, md):
        # plantuml_markdown's default priority: after the snippets (32) are inserted, before fenced_code (25).
        md.preprocessors.register(PlantumlPreprocessor(md), "plantuml_markdown", 30)


def on_config(config):
    config.markdown_extensions.append(PlantumlExtension())
    return config
