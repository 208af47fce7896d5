import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  Alert, Breadcrumb, BreadcrumbItem, Button, Card, ClipboardCopy, CardBody, CardTitle, DescriptionList, DescriptionListDescription, DescriptionListGroup,
  DescriptionListTerm, Flex, PageSection, Spinner, Title,
} from '@patternfly/react-core';
import { api, get } from '../api/client';
import { navigate } from '../common/router';
import { collection as findCollection, concreteCollection, fieldLabel, modelName, pluralName, schemaByName, type Collection } from './models';
import { displayValue, objectRoute, type Row } from './objects';
import { objectLabel, referenceOf } from './references';
import { ReferenceNames } from './ReferenceNames';
import { DeleteModal } from './forms/DeleteModal';
import { FormModal } from './forms/FormModal';

export interface DetailExtension {
  /** Buttons beside Edit and Delete. */
  actions?(object: Row, reload: () => void): ReactNode;
  /** Sections under the object's fields. */
  sections?(object: Row, reload: () => void): ReactNode;
}

const SKIP = /(^|_)obj$|_ptr_id$|^(meta_model_name|component|verbose_name|verbose_name_plural)$/;

/** A link to a related object when the response names one (`provider_obj`, `assigned_application_slug`). */
function relatedLink(key: string, object: Row): ReactNode | undefined {
  const related = object[`${key}_obj`] as Row | undefined;
  if (related && typeof related === 'object' && !Array.isArray(related) && related.meta_model_name) {
    const base = findCollection(`/${String(key).replace(/s$/, '')}s/all/`) ?? findCollection('/providers/all/');
    const target = base ? concreteCollection(String(related.meta_model_name), base) : undefined;
    if (target) return <a href={`#${objectRoute(target, related)}`}>{objectLabel(related)}</a>;
  }
  if (key === 'assigned_application_slug' && object[key]) {
    return <a href={`#/core/applications/${encodeURIComponent(String(object[key]))}`}>{String(object.assigned_application_name ?? object[key])}</a>;
  }
  return undefined;
}

/** authentik's names for the URLs of `setup_urls`, in the order its provider page shows them. */
const SETUP_URL_LABELS: Record<string, string> = {
  provider_info: 'OpenID Configuration URL',
  issuer: 'OpenID Configuration Issuer',
  authorize: 'Authorize URL',
  token: 'Token URL',
  user_info: 'Userinfo URL',
  logout: 'Logout URL',
  jwks: 'JWKS URL',
};

function CopyRow({ label, value }: { label: string; value: string }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{label}</DescriptionListTerm>
      <DescriptionListDescription>
        {value ? <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" textAriaLabel={label}>{value}</ClipboardCopy> : <span className="ak-muted">–</span>}
      </DescriptionListDescription>
    </DescriptionListGroup>
  );
}

/** What a client is configured with: its credentials and the provider's URLs (`setup_urls`: issuer, authorize, token…). */
function SetupUrls({ path, object }: { path: string; object: Row }) {
  const [urls, setUrls] = useState<Record<string, string>>();
  useEffect(() => { get<Record<string, string>>(`${path}setup_urls/`).then(setUrls, () => setUrls(undefined)); }, [path]);
  if (!urls) return null;
  const keys = [...Object.keys(SETUP_URL_LABELS).filter((k) => k in urls), ...Object.keys(urls).filter((k) => !(k in SETUP_URL_LABELS))];
  return (
    <Card>
      <CardTitle>Client settings and URLs</CardTitle>
      <CardBody>
        <DescriptionList isHorizontal isCompact>
          {typeof object.client_id === 'string' ? <CopyRow label="Client ID" value={object.client_id} /> : null}
          {typeof object.client_secret === 'string' ? <CopyRow label="Client Secret" value={object.client_secret} /> : null}
          {keys.map((key) => <CopyRow key={key} label={SETUP_URL_LABELS[key] ?? fieldLabel(key)} value={urls[key]} />)}
        </DescriptionList>
      </CardBody>
    </Card>
  );
}

/** One object: its fields, edit (generated form), delete (with usage), and any hand-made sections. */
export function ModelDetail({ collection, objectKey, extension }: { collection: Collection; objectKey: string; extension?: DetailExtension }) {
  const [object, setObject] = useState<Row>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const path = `${collection.path}${encodeURIComponent(objectKey)}/`;

  useEffect(() => {
    get<Row>(path).then(setObject, (e: Error) => setError(e.message));
  }, [path, tick]);

  const properties = schemaByName(collection.schema).properties ?? {};
  const requestSchema = collection.update ?? collection.create;
  const requestProperties = (requestSchema ? schemaByName(requestSchema).properties : undefined) ?? {};
  const label = object ? objectLabel(object) : objectKey;
  return (
    <>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem to={`#${collection.path}`}>{pluralName(collection)}</BreadcrumbItem>
          <BreadcrumbItem isActive>{label}</BreadcrumbItem>
        </Breadcrumb>
        <Flex justifyContent={{ default: 'justifyContentSpaceBetween' }} alignItems={{ default: 'alignItemsCenter' }}>
          <Title headingLevel="h1">{modelName(collection)}: {label}</Title>
          {object ? (
            <Flex>
              {extension?.actions?.(object, reload)}
              {collection.update ? <Button variant="primary" onClick={() => setEditing(true)}>Edit</Button> : null}
              {collection.destroy ? <Button variant="danger" onClick={() => setDeleting(true)}>Delete</Button> : null}
            </Flex>
          ) : null}
        </Flex>
      </PageSection>
      <PageSection>
        {error ? <Alert variant="danger" isInline title={error} role="alert" /> : null}
        {!object && !error ? <Spinner size="lg" aria-label="Loading" /> : null}
        {object ? (
          <Flex direction={{ default: 'column' }} spaceItems={{ default: 'spaceItemsLg' }}>
            <Card>
              <CardTitle>Details</CardTitle>
              <CardBody>
                <DescriptionList isHorizontal isCompact columnModifier={{ default: '1Col', lg: '2Col' }}>
                  {Object.keys(object).filter((key) => !SKIP.test(key)).map((key) => {
                    const reference = object[`${key}_obj`] === undefined && requestProperties[key] ? referenceOf(key, requestProperties[key]) : undefined;
                    return (
                      <DescriptionListGroup key={key}>
                        <DescriptionListTerm>{fieldLabel(key)}</DescriptionListTerm>
                        <DescriptionListDescription>
                          {relatedLink(key, object) ?? (reference ? <ReferenceNames reference={reference} value={object[key]} /> : displayValue(key, object[key], object, properties[key]))}
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                    );
                  })}
                </DescriptionList>
              </CardBody>
            </Card>
            {collection.actions.some((a) => a.name === 'setup_urls' && a.method === 'get') ? <SetupUrls key={tick} path={path} object={object} /> : null}
            {extension?.sections?.(object, reload)}
          </Flex>
        ) : null}
      </PageSection>
      {editing && object && collection.update ? (
        <FormModal
          title={`Update ${modelName(collection)}`} schemaName={collection.update} initial={object} submitLabel="Update"
          onClose={() => setEditing(false)}
          onSubmit={async (values) => {
            const updated = await api<Row>('PUT', path, { body: values });
            const newKey = collection.lookup && updated[collection.lookup] !== undefined ? String(updated[collection.lookup]) : objectKey;
            if (newKey !== objectKey) navigate(`${collection.path}${encodeURIComponent(newKey)}`);
            else reload();
          }}
        />
      ) : null}
      {deleting && object ? (
        <DeleteModal targets={[{ label, path, usedBy: collection.usedBy }]} onClose={() => setDeleting(false)} onDeleted={() => navigate(collection.path)} />
      ) : null}
    </>
  );
}
