# How the Python side reads a rendered repository, as mkdocs does: PyYAML for YAML, Python-Markdown with
# TechDocs' extensions for pages. One JSON request per line on stdin, one JSON answer per line on stdout; a
# batch request carries many, answered in one line, in order.
import json
import sys
from html.parser import HTMLParser

import markdown
import yaml


class AnyTagLoader(yaml.SafeLoader):
    """SafeLoader that reads unknown tags (mkdocs' !ENV, !!python/name:) as plain nodes instead of failing."""


def _any_tag(loader, _suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


AnyTagLoader.add_multi_constructor('', _any_tag)


class Tags(HTMLParser):
    """The element structure of an HTML fragment: each start tag with its attribute names."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag + ''.join(sorted(f' {name}' for name, _ in attrs)))

    def handle_endtag(self, tag):
        self.tags.append('/' + tag)


class HeadingIds(HTMLParser):
    """The id of each heading (h1 to h6) of an HTML page: the fragments a link to a section can name."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = []

    def handle_starttag(self, tag, attrs):
        if tag in ('h1', 'h2', 'h3', 'h4', 'h5', 'h6'):
            self.ids.extend(value for name, value in attrs if name == 'id')


_converters = {}


def converter(request):
    """One Markdown instance per repository: loading the extensions (emoji's index above all) is the slow part."""
    root = request['root']
    if root not in _converters:
        if len(_converters) > 8:
            _converters.clear()
        configs = dict(request['configs'])
        configs['pymdownx.snippets'] = {'base_path': [root], 'check_paths': True}
        _converters[root] = markdown.Markdown(extensions=request['extensions'] + ['pymdownx.snippets'],
                                              extension_configs=configs)
    return _converters[root]


def tags(html):
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def answer(request):
    if request['op'] == 'batch':
        return {'answers': [answer_or_error(each) for each in request['requests']]}
    if request['op'] == 'yaml':
        try:
            return {'data': list(yaml.load_all(request['text'], Loader=AnyTagLoader))}
        except yaml.YAMLError as error:
            return {'error': str(error)}
    if request['op'] == 'heading_ids':
        parser = HeadingIds()
        parser.feed(request['html'])
        parser.close()
        return {'ids': parser.ids}
    if request['op'] == 'markdown':
        return {'tags': tags(converter(request).reset().convert(request['text']))}
    if request['op'] == 'tags':
        return {'tags': tags(request['html'])}
    return {'error': 'unknown op ' + request['op']}


def answer_or_error(request):
    try:
        return answer(request)
    except Exception as error:  # a crash of a reader is an answer too
        return {'error': f'{type(error).__name__}: {error}'}


for line in sys.stdin:
    reply = answer_or_error(json.loads(line))
    sys.stdout.write(json.dumps(reply, default=str) + '\n')
    sys.stdout.flush()
