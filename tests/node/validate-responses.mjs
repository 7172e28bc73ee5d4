// Validates every response the integration tests received against the OpenAPI document, with
// ajv, a JSON Schema validator independent of authd's own code.
//
//   node tests/node/validate-responses.mjs LOG_DIR [--openapi data/openapi.json]
//
// LOG_DIR holds the test client's response logs (tests/support/http_client.cpp): one JSON object
// per line, {"method", "path", "status", "content_type", "body"}, where "body" is the raw text,
// or "body_base64" replaces it when the body is not valid UTF-8. Each response is credited to the
// documented operation the server itself would route it to (a literal path before a template
// such as /v1/sessions/{id}; the query string does not count; HEAD runs the GET operation), then:
//   - its status must be documented for that operation ("default" is not accepted: it stands
//     for unexpected 500s, which no test should produce);
//   - its Content-Type, compared without parameters, must be one the response documents, and a
//     response documented without content (204) must have an empty body;
//   - a JSON body must parse and validate against the documented schema (Ajv2020: OpenAPI 3.1
//     schemas are JSON Schema 2020-12). HEAD answers carry no body; for text/plain only the
//     Content-Type is checked.
// 414 and 431 come from the HTTP layer before any route is chosen (the document's info says
// so); they are validated against #/components/schemas/HttpLayerError whatever the path.
// Responses to paths no operation documents (404 for an unknown path) or to methods a documented
// path does not have (405) are not part of any operation's contract and are skipped.
// Prints a summary and exits 1 on any failure (2 on a usage error).
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const ajvVersion = createRequire(import.meta.url)("ajv/package.json").version;
const usage = "usage: node validate-responses.mjs LOG_DIR [--openapi PATH]";

function parseArguments(argv) {
  let logDir = null;
  let openapi = resolve(here, "../../data/openapi.json");
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--openapi" && i + 1 < argv.length) openapi = argv[++i];
    else if (logDir === null && !argv[i].startsWith("-")) logDir = argv[i];
    else return null;
  }
  return logDir === null ? null : { logDir, openapi };
}

const args = parseArguments(process.argv.slice(2));
if (args === null) {
  console.error(usage);
  process.exit(2);
}

const DOCUMENT_ID = "urn:authd:openapi";
const HTTP_LAYER_STATUSES = new Set([414, 431]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const document = JSON.parse(readFileSync(args.openapi, "utf8"));
if (typeof document.openapi !== "string" || !document.openapi.startsWith("3.1.")) {
  console.error(`${args.openapi}: not an OpenAPI 3.1 document`);
  process.exit(2);
}

// The whole document is one schema resource, so "#/components/schemas/..." references resolve
// inside it; each response schema is compiled from its JSON pointer. Strict mode makes a
// misspelt keyword or a `required` member without a property an error, not a silent pass.
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: false });
addFormats(ajv);
// The OpenAPI 3.1 dialect's own annotation keywords, and the fields of the document's root (the
// root is compiled too when a pointer into it is resolved); none of them validates anything.
ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
ajv.addVocabulary(
  ["openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components"]
    .concat(["security", "tags"])
    .filter((field) => ajv.getKeyword(field) === false),
);
ajv.addSchema(document, DOCUMENT_ID);

function pointer(...tokens) {
  return (
    "#/" +
    tokens
      .map((token) => String(token).replaceAll("~", "~0").replaceAll("/", "~1"))
      .map(encodeURIComponent)
      .join("/")
  );
}

const validators = new Map();
function validatorFor(ref) {
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.getSchema(DOCUMENT_ID + ref);
    if (validate === undefined) throw new Error(`cannot resolve ${ref} in ${args.openapi}`);
    validators.set(ref, validate);
  }
  return validate;
}

// Every schema of the document compiles, so a mistake in one is found even if no test reached it.
try {
  for (const name of Object.keys(document.components?.schemas ?? {})) {
    validatorFor(pointer("components", "schemas", name));
  }
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    for (const verb of METHODS.filter((method) => item[method] !== undefined)) {
      for (const [status, response] of Object.entries(item[verb].responses ?? {})) {
        for (const [media, { schema }] of Object.entries(response.content ?? {})) {
          if (schema === undefined) continue;
          validatorFor(
            pointer("paths", template, verb, "responses", status, "content", media, "schema"),
          );
        }
      }
    }
  }
} catch (error) {
  console.error(`FAILED: ${args.openapi} has a schema ajv refuses: ${error.message}`);
  process.exit(1);
}

// --- routing, as src/http/router.cpp does it -------------------------------------------------
const isTemplate = (path) => path.includes("{");
function matches(template, path) {
  const want = template.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return false;
  return want.every((segment, i) =>
    segment.length > 2 && segment.startsWith("{") && segment.endsWith("}")
      ? have[i] !== ""
      : segment === have[i],
  );
}

const documentedPaths = Object.keys(document.paths ?? {});
// { template, operation } for the request, { template: null } when no documented path matches,
// { template, operation: null } when the path is documented but not for this method (405).
function route(method, target) {
  const path = target.split("?")[0].split("#")[0];
  const verb = (method === "HEAD" ? "GET" : method).toLowerCase();
  for (const templates of [false, true]) {
    const candidates = documentedPaths.filter(
      (candidate) => isTemplate(candidate) === templates && matches(candidate, path),
    );
    if (candidates.length === 0) continue;
    for (const template of candidates) {
      const operation = document.paths[template][verb];
      if (operation !== undefined) return { template, verb, operation };
    }
    return { template: candidates[0], verb, operation: null };
  }
  return { template: null, verb, operation: null };
}

const mediaType = (contentType) => (contentType ?? "").split(";")[0].trim().toLowerCase();
const isJson = (type) => type === "application/json" || type.endsWith("+json");

// --- checking one response ---------------------------------------------------------------
const stats = {
  files: 0,
  responses: 0,
  bodiesValidated: 0,
  contentTypeOnly: 0,
  emptyChecked: 0,
  headChecked: 0,
  skippedUnknownPath: 0,
  skippedUndocumentedMethod: 0,
};
const failures = [];

function excerpt(entry) {
  if (entry.body_base64 !== undefined) {
    return `(not UTF-8, base64) ${entry.body_base64.slice(0, 120)}`;
  }
  const body = entry.body ?? "";
  return body.length > 200 ? `${body.slice(0, 200)}... (${body.length} chars)` : body;
}

function fail(where, entry, template, reason) {
  failures.push({
    where,
    key: `${entry.method} ${template ?? entry.path} ${entry.status}`,
    request: `${entry.method} ${entry.path} ${entry.status}`,
    reason,
    body: excerpt(entry),
  });
}

function firstAjvError(validate) {
  const error = validate.errors?.[0];
  if (!error) return "invalid";
  const params = JSON.stringify(error.params);
  return `${error.instancePath || "(root)"} ${error.message} ${params}`;
}

// Checks the body of `entry` against `response` (an OpenAPI response object); schemaRef(key)
// is the JSON pointer of the schema of its media type `key`.
function checkContent(where, entry, template, response, schemaRef) {
  const content = response.content ?? {};
  const documented = Object.keys(content);
  const body = entry.body ?? "";
  if (documented.length === 0) {
    if (body !== "" || entry.body_base64 !== undefined) {
      return fail(where, entry, template, "a body where the document promises none");
    }
    ++stats.emptyChecked;
    return;
  }
  const type = mediaType(entry.content_type);
  const key = documented.find((candidate) => mediaType(candidate) === type);
  if (key === undefined) {
    const reason =
      `Content-Type "${entry.content_type ?? ""}" is not documented ` +
      `(documented: ${documented.join(", ")})`;
    return fail(where, entry, template, reason);
  }
  if (entry.method === "HEAD") {
    ++stats.headChecked;
    return;
  }
  if (!isJson(type)) {
    ++stats.contentTypeOnly;
    return;
  }
  if (entry.body_base64 !== undefined) {
    return fail(where, entry, template, "a JSON body that is not valid UTF-8");
  }
  let value;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return fail(where, entry, template, `the body is not JSON: ${error.message}`);
  }
  if (content[key].schema === undefined) {
    ++stats.contentTypeOnly;
    return;
  }
  const validate = validatorFor(schemaRef(key));
  if (!validate(value)) return fail(where, entry, template, firstAjvError(validate));
  ++stats.bodiesValidated;
}

function check(where, entry) {
  ++stats.responses;
  const status = Number(entry.status);
  const { template, verb, operation } = route(entry.method, entry.path);
  if (HTTP_LAYER_STATUSES.has(status)) {
    const schema = document.components?.schemas?.HttpLayerError;
    if (schema === undefined) {
      return fail(where, entry, template, "#/components/schemas/HttpLayerError is missing");
    }
    const layer = { content: { "application/json": { schema } } };
    return checkContent(where, entry, template, layer, () =>
      pointer("components", "schemas", "HttpLayerError"),
    );
  }
  if (template === null) return void ++stats.skippedUnknownPath;
  if (operation === null) return void ++stats.skippedUndocumentedMethod;
  const responses = operation.responses ?? {};
  const code = String(status);
  const range = `${code[0]}XX`;
  const key = code in responses ? code : range in responses ? range : null;
  if (key === null) {
    return fail(
      where,
      entry,
      template,
      `status ${status} is not documented for ${verb.toUpperCase()} ${template}` +
        ("default" in responses ? ' (only as "default": unexpected errors)' : ""),
    );
  }
  checkContent(where, entry, template, responses[key], (media) =>
    pointer("paths", template, verb, "responses", key, "content", media, "schema"),
  );
}

// --- reading the logs ----------------------------------------------------------------------
let files;
try {
  files = readdirSync(args.logDir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
} catch (error) {
  console.error(`no response logs in ${args.logDir} (${error.code}): run the integration tests`);
  process.exit(1);
}

for (const name of files) {
  ++stats.files;
  const lines = readFileSync(join(args.logDir, name), "utf8").split("\n");
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${name}:${index + 1}`;
    const unreadable = (reason) => {
      ++stats.responses;
      const request = line.slice(0, 120);
      failures.push({ where, key: `unreadable ${name}`, request, reason, body: "" });
    };
    let entry;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      return unreadable(`not a JSON line: ${error.message}`);
    }
    const { method, path, status } = entry ?? {};
    if (typeof method !== "string" || typeof path !== "string" || !Number.isInteger(status)) {
      return unreadable("not a response record: method, path or status missing");
    }
    check(where, entry);
  });
}

// --- the summary ---------------------------------------------------------------------------
console.log(
  `OpenAPI response validation (ajv ${ajvVersion}, Ajv2020, against ${args.openapi}): ` +
    `${stats.responses} responses in ${stats.files} log files; ` +
    `${stats.bodiesValidated} JSON bodies validated, ${stats.emptyChecked} empty bodies checked, ` +
    `${stats.contentTypeOnly} non-JSON checked by Content-Type, ` +
    `${stats.headChecked} HEAD answers checked by Content-Type; ` +
    `skipped: ${stats.skippedUnknownPath} to undocumented paths, ` +
    `${stats.skippedUndocumentedMethod} to undocumented methods of documented paths`,
);
if (stats.responses === 0) {
  console.log(`FAILED: no responses were logged in ${args.logDir}`);
  process.exit(1);
}
if (failures.length === 0) {
  console.log("every logged response matches the OpenAPI document");
  process.exit(0);
}

// One line per kind of failure (operation, status, reason), with its count and first example.
const kinds = new Map();
for (const failure of failures) {
  const kind = `${failure.key}: ${failure.reason}`;
  const seen = kinds.get(kind);
  if (seen) ++seen.count;
  else kinds.set(kind, { count: 1, first: failure });
}
console.log(
  `FAILED: ${failures.length} responses do not match the document (${kinds.size} kinds):`,
);
for (const [kind, { count, first }] of kinds) {
  console.log(`  ${kind}`);
  console.log(`    ${count} response(s); first: ${first.request} at ${first.where}`);
  if (first.body !== "") console.log(`    body: ${first.body}`);
}
process.exit(1);
