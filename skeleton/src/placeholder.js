// PLACEHOLDER: the Koa TypeScript service replaces this file (it arrives with the service issue).
// Until then the repository only proves that the template renders.
console.log('${{ values.app_name }} (${{ values.app_env }}): placeholder service, nothing to serve yet');
