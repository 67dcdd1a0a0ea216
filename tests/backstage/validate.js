// Checks catalog entities with @backstage/catalog-model's own validators (its published
// entity JSON schemas) and resolves entity references with its parseEntityRef.
// Input on stdin: {"entities": [...], "refs": [[text, defaultKind, defaultNamespace], ...]}.
// Output: {"entities": [{"kind", "name", "valid", "error"}], "refs": ["kind:ns/name", ...]}.
const model = require("@backstage/catalog-model");

const kinds = [
  model.groupEntityV1alpha1Validator,
  model.userEntityV1alpha1Validator,
  model.componentEntityV1alpha1Validator,
  model.apiEntityV1alpha1Validator,
  model.locationEntityV1alpha1Validator,
];

async function check(entity) {
  model.entityEnvelopeSchemaValidator()(entity);
  model.entitySchemaValidator()(entity);
  for (const validator of kinds) {
    if (await validator.check(entity)) return;
  }
  throw new Error(`no validator took kind ${entity.kind}`);
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { entities, refs } = JSON.parse(input);
  const results = [];
  for (const entity of entities) {
    try {
      await check(entity);
      results.push({ kind: entity.kind, name: entity.metadata.name, valid: true, error: null });
    } catch (error) {
      results.push({ kind: entity.kind, name: entity.metadata?.name, valid: false, error: String(error) });
    }
  }
  const parsed = refs.map(([text, defaultKind, defaultNamespace]) => {
    const ref = model.parseEntityRef(text, { defaultKind, defaultNamespace });
    return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
  });
  process.stdout.write(JSON.stringify({ entities: results, refs: parsed }));
});
