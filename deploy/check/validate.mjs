// Offline checks of rendered Kubernetes manifests (the output of `kubectl kustomize`), run by
// deploy/check/run. No cluster is needed.
//
//   node validate.mjs LABEL=FILE...     check each file (one rendered overlay) on its own; print
//                                       every problem as "LABEL: Kind namespace/name: field: why"
//   node validate.mjs --selftest DIR    every DIR/*.yaml must be rejected with exactly one problem,
//                                       containing the text of its "# expect: ..." first line
//
// What is checked:
// 1. Schemas: every object against its Kubernetes model (npm kubernetes-models) or KEDA model
//    (@kubernetes-models/keda), chosen by apiVersion and kind; an apiVersion/kind without a model
//    is an error. The models do not reject unknown fields, so the same validator runs a second time
//    over a proxy that records which fields it looked at: a field of an object whose schema has
//    properties that the validator never looked at is unknown (maps such as labels are iterated,
//    so their keys count as known; free-form objects are never looked into and are skipped).
// 2. What schemas miss, across the objects of one rendered set:
//    - probes (grpc, httpGet, tcpSocket) and --listen/--metrics-listen/prometheus.io/port on a
//      port the container does not declare (by number or name);
//    - Service, PDB, NetworkPolicy (and its peers), topology spread and workload selectors that
//      match no pod template; Service targetPorts and NetworkPolicy ports no selected pod has;
//    - HPA and ScaledObject scaleTargetRefs naming no object, two autoscalers on one target,
//      a Deployment that sets replicas under an autoscaler, CPU/memory utilisation targets on
//      containers without requests, PDBs that allow no eviction at the workload's minimum;
//    - images without a pinned tag (none, or :latest); containers without resource requests and
//      limits, or without a restricted securityContext (runAsNonRoot, no privilege escalation,
//      read-only root filesystem, capabilities drop ALL, seccomp RuntimeDefault);
//    - terminationGracePeriodSeconds not longer than the preStop sleep plus the drain seconds;
//    - service addresses in the settings (SALESOPS_*_ADDR, SALESOPS_*_REDIS, KEDA's redis address)
//      naming no Service or port, dns:/// (round_robin) targets that are not headless, and
//      NetworkPolicies that do not let the caller reach them (or reach DNS);
//    - ConfigMaps, ServiceAccounts, volumes and StatefulSet governing Services that do not exist;
//    - KEDA trigger metadata keys the scaler does not read (a free-form map in KEDA's schema), cron
//      triggers with a malformed schedule or desiredReplicas above the maximum.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import YAML from "yaml";

// ---------------------------------------------------------------------------------------------
// Problems

class Problems {
  constructor(label) {
    this.label = label;
    this.list = [];
  }
  add(obj, field, message) {
    const ref = obj ? objectRef(obj) : "(file)";
    this.list.push(`${this.label}: ${ref}: ${field ? field + ": " : ""}${message}`);
  }
}

function objectRef(obj) {
  const kind = obj?.kind ?? "(no kind)";
  const name = obj?.metadata?.name ?? "(no name)";
  const ns = obj?.metadata?.namespace;
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

// A readable path into `root` for a JSON pointer: list items that have a name are shown by it.
function fieldPath(root, pointer) {
  const parts = pointer.split("/").filter((p) => p !== "").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = "";
  let node = root;
  for (const part of parts) {
    if (Array.isArray(node)) {
      const item = node[Number(part)];
      out += item && typeof item === "object" && typeof item.name === "string" ? `[${item.name}]` : `[${part}]`;
      node = item;
    } else {
      out += (out ? "." : "") + part;
      node = node && typeof node === "object" ? node[part] : undefined;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 1. Schemas

const moduleCache = new Map();

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  const specifier = apiVersion.startsWith("keda.sh/")
    ? `@kubernetes-models/keda/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  if (!moduleCache.has(specifier)) {
    moduleCache.set(specifier, await import(specifier).catch(() => null));
  }
  const mod = moduleCache.get(specifier);
  const model = mod?.[kind];
  if (typeof model !== "function" || model.apiVersion !== apiVersion || model.kind !== kind) return null;
  return model;
}

// Wraps `value` so that every field the validator reads (or every key, when it iterates the
// object as a map) is recorded in `seen`, keyed by the original object.
function tracked(value, seen) {
  if (value === null || typeof value !== "object") return value;
  const info = { read: new Set(), iterated: false };
  seen.set(value, info);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") info.read.add(key);
      const child = Reflect.get(target, key, receiver);
      if (child && typeof child === "object" && Object.prototype.hasOwnProperty.call(target, key)) {
        if (!children.has(key)) children.set(key, tracked(child, seen));
        return children.get(key);
      }
      return child;
    },
    has(target, key) {
      if (typeof key === "string") info.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      info.iterated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(root, seen) {
  const found = [];
  const walk = (node, pointer) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`));
      return;
    }
    if (node === null || typeof node !== "object") return;
    const info = seen.get(node);
    if (!info) return; // never looked into: no schema below here
    const typed = !info.iterated && info.read.size > 0;
    for (const key of Object.keys(node)) {
      const child = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (typed && !info.read.has(key)) found.push(child);
      else walk(node[key], child);
    }
  };
  walk(root, "");
  return found;
}

async function checkSchema(obj, problems) {
  const model = await modelFor(obj.apiVersion, obj.kind);
  if (!model) {
    problems.add(obj, "apiVersion", `no schema for apiVersion "${obj.apiVersion}" kind "${obj.kind}" (a typo, or an API this check does not know)`);
    return false;
  }
  let ok = true;
  try {
    new model(obj).validate();
  } catch (error) {
    ok = false;
    for (const e of error.errors ?? [{ instancePath: "", message: error.message }]) {
      const extra = e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : "";
      problems.add(obj, fieldPath(obj, e.instancePath) || "(object)", `${e.message}${extra}`);
    }
  }
  const seen = new Map();
  try {
    model.prototype.validate.call(tracked(obj, seen));
  } catch {
    // Reported above.
  }
  for (const pointer of unknownFields(obj, seen)) {
    ok = false;
    problems.add(obj, fieldPath(obj, pointer), "unknown field (not in the schema of this kind)");
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Helpers for the cross-object checks

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

function nsOf(obj) {
  return obj.metadata?.namespace ?? "default";
}

// Pod templates of the set: { owner, ns, labels, spec, at } where `at` is the template's path.
function podTemplates(objects) {
  const out = [];
  for (const obj of objects) {
    if (WORKLOAD_KINDS.has(obj.kind) && obj.spec?.template) {
      out.push({ owner: obj, ns: nsOf(obj), labels: obj.spec.template.metadata?.labels ?? {}, annotations: obj.spec.template.metadata?.annotations ?? {}, spec: obj.spec.template.spec ?? {}, at: "spec.template" });
    } else if (obj.kind === "CronJob" && obj.spec?.jobTemplate?.spec?.template) {
      const t = obj.spec.jobTemplate.spec.template;
      out.push({ owner: obj, ns: nsOf(obj), labels: t.metadata?.labels ?? {}, annotations: t.metadata?.annotations ?? {}, spec: t.spec ?? {}, at: "spec.jobTemplate.spec.template" });
    }
  }
  return out;
}

// A LabelSelector ({matchLabels, matchExpressions}) or, with `plain`, a Service's label map.
function selects(selector, labels, plain = false) {
  if (!selector) return true;
  const matchLabels = plain ? selector : selector.matchLabels ?? {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  if (plain) return true;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function describeSelector(selector, plain = false) {
  const m = plain ? selector : selector?.matchLabels ?? {};
  const parts = Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (plain ? [] : selector?.matchExpressions) ?? []) parts.push(`${e.key} ${e.operator} (${(e.values ?? []).join(",")})`);
  return parts.length ? parts.join(", ") : "(everything)";
}

function containersOf(spec) {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function portsOf(container) {
  return (container.ports ?? []).map((p) => ({ name: p.name, number: p.containerPort, protocol: p.protocol ?? "TCP" }));
}

// The port of `pod` that a Service targetPort / NetworkPolicy port (number or name) means.
function resolvePort(pod, port, protocol = "TCP") {
  for (const c of containersOf(pod.spec)) {
    for (const p of portsOf(c)) {
      if (p.protocol !== protocol) continue;
      if (typeof port === "number" ? p.number === port : p.name === port) return p;
    }
  }
  return null;
}

function portList(container) {
  const ports = portsOf(container);
  return ports.length ? ports.map((p) => (p.name ? `${p.name}=${p.number}` : `${p.number}`)).join(", ") : "none";
}

// Image reference: pinned when it carries a digest or a tag other than "latest".
function imageProblem(image) {
  if (typeof image !== "string" || image === "") return "no image";
  if (image.includes("@sha256:")) return null;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  if (colon < 0) return `image "${image}" has no tag (it would pull :latest); pin one (kustomization images:)`;
  if (image.slice(colon + 1) === "latest") return `image "${image}" uses :latest; pin a tag (kustomization images:)`;
  return null;
}

// The container's environment as far as the manifests say: envFrom ConfigMaps, then env values.
function effectiveEnv(container, ns, configMaps) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = configMaps.get(`${ns}/${from.configMapRef.name}`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[(from.prefix ?? "") + k] = v;
    }
  }
  for (const e of container.env ?? []) {
    if (typeof e.value === "string") env[e.name] = e.value;
    else if (e.valueFrom?.configMapKeyRef) {
      const cm = configMaps.get(`${ns}/${e.valueFrom.configMapKeyRef.name}`);
      const v = cm?.data?.[e.valueFrom.configMapKeyRef.key];
      if (v !== undefined) env[e.name] = v;
    } else {
      delete env[e.name]; // from a field or resource: not known here
    }
  }
  return env;
}

function expand(value, env) {
  return String(value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (name in env ? env[name] : m));
}

// Flags in args: {"--listen": "0.0.0.0:50051", ...} (both --flag=value and --flag value).
function flagsOf(container, env) {
  const args = [...(container.command ?? []).slice(1), ...(container.args ?? [])].map((a) => expand(a, env));
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^(--[A-Za-z0-9-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    if (m[2] !== undefined) flags[m[1]] = m[2];
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) flags[m[1]] = args[++i];
    else flags[m[1]] = "";
  }
  return flags;
}

// Seconds a preStop hook waits, when it is a sleep.
function preStopSeconds(container) {
  const pre = container.lifecycle?.preStop;
  if (!pre) return 0;
  if (pre.sleep?.seconds !== undefined) return Number(pre.sleep.seconds);
  const cmd = pre.exec?.command ?? [];
  const text = cmd.join(" ");
  const m = /(?:^|[\s/])sleep\s+(\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

// "dns:///name:port", "redis://[:pw@]host:port[/db]", "host:port" -> {host, port, scheme}.
function parseAddress(value) {
  let v = String(value).trim();
  let scheme = "";
  const s = /^([a-z]+):\/\/\/?(.*)$/.exec(v);
  if (s) {
    scheme = s[1];
    v = s[2];
  }
  v = v.replace(/^[^@/]*@/, "").replace(/\/.*$/, "");
  const m = /^([A-Za-z0-9.-]+):(\d+)$/.exec(v);
  return m ? { scheme, host: m[1], port: Number(m[2]) } : null;
}

// The Service an in-cluster host name means: "name", "name.ns", "name.ns.svc[.cluster.local]";
// anything else (an IP address, a host of another domain) is outside the set.
function serviceFor(host, defaultNs, services) {
  const parts = host.split(".");
  const name = parts[0];
  let ns = defaultNs;
  if (parts.length >= 2) ns = parts[1];
  if (parts.length >= 3 && parts[2] !== "svc") return { external: true };
  if (parts.length === 2 && ![...services.keys()].some((k) => k.startsWith(`${ns}/`))) return { external: true };
  return { name, ns, service: services.get(`${ns}/${name}`) };
}

// ---------------------------------------------------------------------------------------------
// Network policies

function policyTypes(np) {
  if (np.spec?.policyTypes?.length) return np.spec.policyTypes;
  return np.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

function policiesSelecting(policies, pod, type) {
  return policies.filter((np) => nsOf(np) === pod.ns && policyTypes(np).includes(type) && selects(np.spec?.podSelector ?? {}, pod.labels));
}

function peerMatches(peer, pod, policyNs) {
  if (peer.ipBlock) return false;
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": pod.ns })) return false;
  } else if (pod.ns !== policyNs) {
    return false;
  }
  return !peer.podSelector || selects(peer.podSelector, pod.labels);
}

function portAllowed(rulePorts, port) {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.endPort ? port.number >= p.port && port.number <= p.endPort : port.number === p.port;
    return p.port === port.name;
  });
}

// Whether policies let `src` open a connection to `port` of `dst` (both pod templates).
function connectionAllowed(policies, src, dst, port) {
  const egress = policiesSelecting(policies, src, "Egress");
  const egressOk = egress.length === 0 || egress.some((np) => (np.spec.egress ?? []).some((rule) =>
    (!rule.to || rule.to.length === 0 || rule.to.some((peer) => peerMatches(peer, dst, nsOf(np)))) && portAllowed(rule.ports, port)));
  const ingress = policiesSelecting(policies, dst, "Ingress");
  const ingressOk = ingress.length === 0 || ingress.some((np) => (np.spec.ingress ?? []).some((rule) =>
    (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerMatches(peer, src, nsOf(np)))) && portAllowed(rule.ports, port)));
  return { egressOk, ingressOk };
}

function dnsAllowed(policies, pod) {
  const egress = policiesSelecting(policies, pod, "Egress");
  return egress.length === 0 || egress.some((np) => (np.spec.egress ?? []).some((rule) =>
    (!rule.to || rule.to.length === 0 || rule.to.some((peer) => peer.namespaceSelector || peer.ipBlock)) &&
    portAllowed(rule.ports, { number: 53, name: "dns", protocol: "UDP" })));
}

// Trigger metadata is a free-form map in KEDA's schema; the keys its scalers read (KEDA 2.12+).
const KEDA_TRIGGER_METADATA = {
  "redis-streams": ["address", "host", "port", "addressFromEnv", "hostFromEnv", "portFromEnv",
    "usernameFromEnv", "passwordFromEnv", "stream", "consumerGroup", "pendingEntriesCount",
    "streamLength", "lagCount", "activationLagCount", "databaseIndex", "enableTLS", "unsafeSsl"],
  cron: ["timezone", "start", "end", "desiredReplicas"],
  cpu: ["type", "value", "containerName"],
  memory: ["type", "value", "containerName"],
};

// ---------------------------------------------------------------------------------------------
// Cron (KEDA's cron trigger: minute hour day-of-month month day-of-week)

function cronProblem(expr) {
  const fields = String(expr ?? "").trim().split(/\s+/);
  if (fields.length !== 5) return `"${expr}" is not a 5-field cron expression (minute hour day month weekday)`;
  const ranges = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  const names = ["minute", "hour", "day of month", "month", "day of week"];
  for (let i = 0; i < 5; i++) {
    for (const item of fields[i].split(",")) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `"${expr}": ${names[i]} "${item}" is not a number, range, list or step`;
      for (const n of [m[2], m[3]].filter((x) => x !== undefined).map(Number)) {
        if (n < ranges[i][0] || n > ranges[i][1]) return `"${expr}": ${names[i]} ${n} is outside ${ranges[i][0]}-${ranges[i][1]}`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// 2. Cross-object checks of one rendered set

function crossChecks(objects, problems) {
  const byKey = new Map();
  for (const obj of objects) {
    const key = `${obj.apiVersion?.split("/").length > 1 ? obj.apiVersion.split("/")[0] : ""}/${obj.kind}/${nsOf(obj)}/${obj.metadata?.name}`;
    if (byKey.has(key)) problems.add(obj, "metadata.name", "defined twice in this set");
    byKey.set(key, obj);
  }
  const ofKind = (kind) => objects.filter((o) => o.kind === kind);
  const index = (kind) => new Map(ofKind(kind).map((o) => [`${nsOf(o)}/${o.metadata?.name}`, o]));
  const services = index("Service");
  const configMaps = index("ConfigMap");
  const serviceAccounts = index("ServiceAccount");
  const policies = ofKind("NetworkPolicy");
  const pods = podTemplates(objects);
  const podsIn = (ns) => pods.filter((p) => p.ns === ns);
  const podOf = (owner) => pods.find((p) => p.owner === owner);

  // Autoscalers by target, for replica and PDB checks.
  const autoscalers = new Map(); // "ns/Kind/name" -> [{obj, min}]
  const targetOf = (obj, ref, defaultKind) => {
    const kind = ref?.kind ?? defaultKind;
    const group = (ref?.apiVersion ?? "apps/v1").split("/").length > 1 ? (ref?.apiVersion ?? "apps/v1").split("/")[0] : "";
    return objects.find((o) => o.kind === kind && o.metadata?.name === ref?.name && nsOf(o) === nsOf(obj) &&
      (o.apiVersion.split("/").length > 1 ? o.apiVersion.split("/")[0] : "") === group);
  };

  for (const hpa of ofKind("HorizontalPodAutoscaler")) {
    const ref = hpa.spec?.scaleTargetRef;
    const target = targetOf(hpa, ref, undefined);
    if (!target) {
      problems.add(hpa, "spec.scaleTargetRef", `no ${ref?.kind} "${ref?.name}" (${ref?.apiVersion}) in namespace ${nsOf(hpa)}`);
      continue;
    }
    const min = hpa.spec.minReplicas ?? 1;
    if (min > hpa.spec.maxReplicas) problems.add(hpa, "spec.minReplicas", `${min} is above maxReplicas ${hpa.spec.maxReplicas}`);
    const key = `${nsOf(target)}/${target.kind}/${target.metadata.name}`;
    autoscalers.set(key, [...(autoscalers.get(key) ?? []), { obj: hpa, min }]);
    const pod = podOf(target);
    for (const [i, metric] of (hpa.spec.metrics ?? []).entries()) {
      if (metric.type !== "Resource" || metric.resource?.target?.type !== "Utilization" || !pod) continue;
      for (const c of pod.spec.containers ?? []) {
        if (!c.resources?.requests?.[metric.resource.name]) {
          problems.add(hpa, `spec.metrics[${i}]`, `${metric.resource.name} utilization needs a ${metric.resource.name} request on every container; ${target.kind} ${target.metadata.name} container ${c.name} has none`);
        }
      }
    }
  }

  for (const so of ofKind("ScaledObject")) {
    const ref = so.spec?.scaleTargetRef;
    const target = targetOf(so, ref, "Deployment");
    if (!target) {
      problems.add(so, "spec.scaleTargetRef", `no ${ref?.kind ?? "Deployment"} "${ref?.name}" in namespace ${nsOf(so)}`);
    } else {
      const min = so.spec.minReplicaCount ?? 0;
      const key = `${nsOf(target)}/${target.kind}/${target.metadata.name}`;
      autoscalers.set(key, [...(autoscalers.get(key) ?? []), { obj: so, min }]);
    }
    const min = so.spec?.minReplicaCount ?? 0;
    const max = so.spec?.maxReplicaCount ?? 100;
    if (min > max) problems.add(so, "spec.minReplicaCount", `${min} is above maxReplicaCount ${max}`);
    for (const [i, trigger] of (so.spec?.triggers ?? []).entries()) {
      const md = trigger.metadata ?? {};
      const at = `spec.triggers[${i}]`;
      const known = KEDA_TRIGGER_METADATA[trigger.type];
      for (const key of Object.keys(md)) {
        if (known && !known.includes(key)) problems.add(so, `${at}.metadata.${key}`, `unknown field for a ${trigger.type} trigger (known: ${known.join(", ")})`);
      }
      if (trigger.type === "cron") {
        for (const f of ["start", "end"]) {
          const why = cronProblem(md[f]);
          if (why) problems.add(so, `${at}.metadata.${f}`, why);
        }
        if (!md.timezone) problems.add(so, `${at}.metadata.timezone`, "missing (an IANA time zone, e.g. Etc/UTC)");
        const desired = Number(md.desiredReplicas);
        if (!Number.isInteger(desired) || desired < 1) problems.add(so, `${at}.metadata.desiredReplicas`, `"${md.desiredReplicas}" is not a positive integer`);
        else if (desired > max) problems.add(so, `${at}.metadata.desiredReplicas`, `${desired} is above maxReplicaCount ${max}: the pre-scale would be capped`);
      } else if (trigger.type === "redis-streams") {
        if (!md.stream) problems.add(so, `${at}.metadata.stream`, "missing");
        for (const f of ["lagCount", "activationLagCount", "pendingEntriesCount", "streamLength"]) {
          if (md[f] !== undefined && !/^\d+$/.test(md[f])) problems.add(so, `${at}.metadata.${f}`, `"${md[f]}" is not a whole number`);
        }
        if (md.lagCount !== undefined && !md.consumerGroup) problems.add(so, `${at}.metadata.consumerGroup`, "lagCount needs the consumer group");
        const address = md.address ?? (md.host && md.port ? `${md.host}:${md.port}` : undefined);
        if (address) {
          const a = parseAddress(address);
          if (!a) {
            problems.add(so, `${at}.metadata.address`, `"${address}" is not host:port`);
          } else if (!a.host.includes(".")) {
            problems.add(so, `${at}.metadata.address`, `"${address}": KEDA's operator resolves it from its own namespace; name the namespace (${a.host}.${nsOf(so)}.svc:${a.port})`);
          } else {
            const s = serviceFor(a.host, nsOf(so), services);
            if (!s.external && !s.service) problems.add(so, `${at}.metadata.address`, `"${address}": no Service ${s.name} in namespace ${s.ns} in this set`);
            else if (s.service && !(s.service.spec?.ports ?? []).some((p) => p.port === a.port)) problems.add(so, `${at}.metadata.address`, `"${address}": Service ${s.name} has no port ${a.port}`);
          }
        } else if (!md.addressFromEnv && !md.hostFromEnv) {
          problems.add(so, `${at}.metadata.address`, "missing (address, host and port, or addressFromEnv)");
        }
      }
    }
  }

  for (const [key, list] of autoscalers) {
    if (list.length > 1) problems.add(list[1].obj, "spec.scaleTargetRef", `${key} is already scaled by ${objectRef(list[0].obj)}; two autoscalers fight`);
    const [ns, kind, name] = key.split("/");
    const target = objects.find((o) => o.kind === kind && o.metadata?.name === name && nsOf(o) === ns);
    if (target?.spec?.replicas !== undefined && target.kind === "Deployment") {
      problems.add(target, "spec.replicas", `set, but ${objectRef(list[0].obj)} owns the replica count: every apply would reset it`);
    }
  }

  const minReplicasOf = (pod) => {
    const key = `${pod.ns}/${pod.owner.kind}/${pod.owner.metadata.name}`;
    const scalers = autoscalers.get(key);
    if (scalers?.length) return Math.max(1, scalers[0].min);
    return pod.owner.spec?.replicas ?? 1;
  };

  // Workloads and their pod templates.
  for (const pod of pods) {
    const owner = pod.owner;
    const at = pod.at;
    if (owner.spec?.selector && !selects(owner.spec.selector, pod.labels)) {
      problems.add(owner, "spec.selector", `${describeSelector(owner.spec.selector)} does not match the template's labels`);
    }
    if (owner.kind === "StatefulSet") {
      const governing = services.get(`${pod.ns}/${owner.spec.serviceName}`);
      if (!governing) problems.add(owner, "spec.serviceName", `no Service "${owner.spec.serviceName}" in namespace ${pod.ns}`);
      else if (governing.spec?.clusterIP !== "None") problems.add(owner, "spec.serviceName", `Service "${owner.spec.serviceName}" is not headless (clusterIP: None)`);
    }
    const sa = pod.spec.serviceAccountName;
    if (sa && sa !== "default" && !serviceAccounts.has(`${pod.ns}/${sa}`)) {
      problems.add(owner, `${at}.spec.serviceAccountName`, `no ServiceAccount "${sa}" in namespace ${pod.ns}`);
    }
    for (const [i, tsc] of (pod.spec.topologySpreadConstraints ?? []).entries()) {
      if (tsc.labelSelector && !selects(tsc.labelSelector, pod.labels)) {
        problems.add(owner, `${at}.spec.topologySpreadConstraints[${i}].labelSelector`, `${describeSelector(tsc.labelSelector)} does not match the pods it spreads`);
      }
    }
    const podSc = pod.spec.securityContext ?? {};
    const volumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
    if (owner.kind === "StatefulSet") for (const t of owner.spec.volumeClaimTemplates ?? []) volumes.add(t.metadata?.name);
    const allPorts = containersOf(pod.spec).flatMap(portsOf);
    const promPort = pod.annotations["prometheus.io/port"];
    if (promPort !== undefined && !allPorts.some((p) => String(p.number) === String(promPort))) {
      problems.add(owner, `${at}.metadata.annotations.prometheus.io/port`, `${promPort} is not a container port of this pod`);
    }
    let drainGrace = 0;
    let hasAddresses = false;
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;

    for (const group of ["initContainers", "containers"]) {
      for (const c of pod.spec[group] ?? []) {
        const cat = `${at}.spec.${group}[${c.name}]`;
        const imageWhy = imageProblem(c.image);
        if (imageWhy) problems.add(owner, `${cat}.image`, imageWhy);

        const r = c.resources ?? {};
        const missing = [];
        for (const k of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) {
          const [a, b] = k.split(".");
          if (!r[a]?.[b]) missing.push(k);
        }
        if (missing.length === 4) problems.add(owner, `${cat}.resources`, "no resource requests or limits");
        else if (missing.length) problems.add(owner, `${cat}.resources`, `missing ${missing.join(", ")}`);

        const sc = c.securityContext;
        if (!sc) {
          problems.add(owner, `${cat}.securityContext`, "missing (runAsNonRoot, allowPrivilegeEscalation: false, readOnlyRootFilesystem, capabilities drop ALL)");
        } else {
          const bad = [];
          if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) bad.push("runAsNonRoot is not true");
          if ((sc.runAsUser ?? podSc.runAsUser) === 0) bad.push("runAsUser is 0 (root)");
          if (sc.allowPrivilegeEscalation !== false) bad.push("allowPrivilegeEscalation is not false");
          if (sc.readOnlyRootFilesystem !== true) bad.push("readOnlyRootFilesystem is not true");
          if (sc.privileged === true) bad.push("privileged");
          if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad.push("capabilities.drop does not include ALL");
          if ((sc.capabilities?.add ?? []).length) bad.push(`capabilities.add ${sc.capabilities.add.join(",")}`);
          const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
          if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") bad.push("seccompProfile is not RuntimeDefault");
          if (bad.length) problems.add(owner, `${cat}.securityContext`, bad.join("; "));
        }

        const ports = portsOf(c);
        for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
          const p = c[probe];
          if (!p) continue;
          const checks = [["grpc", p.grpc?.port], ["httpGet", p.httpGet?.port], ["tcpSocket", p.tcpSocket?.port]];
          for (const [how, port] of checks) {
            if (port === undefined) continue;
            const ok = typeof port === "number" ? ports.some((x) => x.number === port) : ports.some((x) => x.name === port);
            if (!ok) problems.add(owner, `${cat}.${probe}.${how}.port`, `${JSON.stringify(port)} is not a port of container ${c.name} (its ports: ${portList(c)})`);
          }
        }

        const env = effectiveEnv(c, pod.ns, configMaps);
        const flags = flagsOf(c, env);
        for (const flag of ["--listen", "--metrics-listen"]) {
          const v = flags[flag] ?? (flag === "--listen" ? env.SALESOPS_LISTEN : env.SALESOPS_METRICS_LISTEN);
          if (!v) continue;
          const a = parseAddress(v);
          if (a && a.port !== 0 && !ports.some((x) => x.number === a.port)) {
            problems.add(owner, `${cat}.args`, `${flag}=${v}: port ${a.port} is not a container port (its ports: ${portList(c)})`);
          }
        }

        for (const m of c.volumeMounts ?? []) {
          if (!volumes.has(m.name)) problems.add(owner, `${cat}.volumeMounts[${m.name}]`, `no volume "${m.name}" in the pod`);
        }
        for (const [i, from] of (c.envFrom ?? []).entries()) {
          const ref = from.configMapRef;
          if (ref && !ref.optional && !configMaps.has(`${pod.ns}/${ref.name}`)) problems.add(owner, `${cat}.envFrom[${i}].configMapRef`, `no ConfigMap "${ref.name}" in namespace ${pod.ns}`);
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.configMapKeyRef;
          if (!ref || ref.optional) continue;
          const cm = configMaps.get(`${pod.ns}/${ref.name}`);
          if (!cm) problems.add(owner, `${cat}.env[${e.name}]`, `no ConfigMap "${ref.name}" in namespace ${pod.ns}`);
          else if (!(ref.key in (cm.data ?? {}))) problems.add(owner, `${cat}.env[${e.name}]`, `ConfigMap "${ref.name}" has no key "${ref.key}"`);
        }

        // Shutdown: preStop sleep, then the server's drain, must end before the kill.
        const drainText = flags["--drain-seconds"] ?? env.SALESOPS_DRAIN_SECONDS;
        const drain = drainText !== undefined && /^\d+$/.test(drainText) ? Number(drainText) : 0;
        const pre = preStopSeconds(c);
        if ((drain || pre) && grace <= drain + pre) {
          problems.add(owner, `${at}.spec.terminationGracePeriodSeconds`, `${grace} is not longer than container ${c.name}'s preStop sleep ${pre} s + drain ${drain} s: the drain would be cut short`);
        }
        drainGrace = Math.max(drainGrace, drain + pre);

        // Addresses of other services: they must exist, have the port, and be reachable.
        const addresses = [];
        for (const [k, v] of Object.entries(env)) if (/^SALESOPS_[A-Z_]*(_ADDR|_REDIS)$/.test(k) && v) addresses.push([k, v]);
        for (const [k, v] of Object.entries(flags)) if (/-(addr|redis)$/.test(k) && v) addresses.push([k, v]);
        for (const [name, value] of addresses) {
          const a = parseAddress(value);
          const where = `${cat} ${name}=${value}`;
          if (!a) {
            problems.add(owner, where, "not host:port");
            continue;
          }
          const s = serviceFor(a.host, pod.ns, services);
          if (s.external) continue;
          hasAddresses = true;
          if (!s.service) {
            problems.add(owner, where, `no Service "${s.name}" in namespace ${s.ns}`);
            continue;
          }
          const sp = (s.service.spec?.ports ?? []).find((p) => p.port === a.port);
          if (!sp) {
            problems.add(owner, where, `Service "${s.name}" has no port ${a.port}`);
            continue;
          }
          if (a.scheme === "dns" && s.service.spec?.clusterIP !== "None") {
            problems.add(owner, where, `dns:/// with round_robin needs a headless Service (clusterIP: None); "${s.name}" has a virtual IP, so each connection sticks to one pod`);
          }
          for (const dst of pods.filter((p) => p.ns === s.ns && s.service.spec?.selector && selects(s.service.spec.selector, p.labels, true))) {
            const port = resolvePort(dst, sp.targetPort ?? sp.port, sp.protocol ?? "TCP");
            if (!port) continue; // reported with the Service
            const { egressOk, ingressOk } = connectionAllowed(policies, pod, dst, port);
            if (!egressOk || !ingressOk) {
              const why = [!egressOk && `egress from ${owner.metadata.name}`, !ingressOk && `ingress to ${dst.owner.metadata.name}`].filter(Boolean).join(" and ");
              problems.add(owner, where, `NetworkPolicies do not allow ${owner.metadata.name} -> ${dst.owner.metadata.name}:${port.number} (${why} not allowed)`);
            }
          }
        }
      }
    }
    if (hasAddresses && !dnsAllowed(policies, pod)) {
      problems.add(owner, `${at}.metadata.labels`, "NetworkPolicies do not allow DNS (UDP 53) egress, and this pod resolves service names");
    }
  }

  // Services: selectors and target ports.
  for (const svc of ofKind("Service")) {
    const sel = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    const matched = podsIn(nsOf(svc)).filter((p) => selects(sel, p.labels, true));
    if (matched.length === 0) {
      problems.add(svc, "spec.selector", `${describeSelector(sel, true)} matches no pod template in namespace ${nsOf(svc)}`);
      continue;
    }
    for (const sp of svc.spec.ports ?? []) {
      const target = sp.targetPort ?? sp.port;
      for (const pod of matched) {
        if (!resolvePort(pod, target, sp.protocol ?? "TCP")) {
          problems.add(svc, `spec.ports[${sp.name ?? sp.port}].targetPort`, `${JSON.stringify(target)} is not a container port of ${pod.owner.kind} ${pod.owner.metadata.name}`);
        }
      }
    }
  }

  // PodDisruptionBudgets.
  for (const pdb of ofKind("PodDisruptionBudget")) {
    const matched = podsIn(nsOf(pdb)).filter((p) => selects(pdb.spec?.selector ?? {}, p.labels));
    if (matched.length === 0) {
      problems.add(pdb, "spec.selector", `${describeSelector(pdb.spec?.selector)} matches no pod template in namespace ${nsOf(pdb)}`);
      continue;
    }
    for (const pod of matched) {
      const min = minReplicasOf(pod);
      const { minAvailable, maxUnavailable } = pdb.spec;
      const blocks = (typeof minAvailable === "number" && minAvailable >= min) || minAvailable === "100%" ||
        maxUnavailable === 0 || maxUnavailable === "0%";
      if (blocks) problems.add(pdb, "spec", `allows no eviction when ${pod.owner.kind} ${pod.owner.metadata.name} runs its minimum of ${min} replica(s): node drains would hang`);
    }
  }

  // NetworkPolicies: selectors and ports.
  for (const np of policies) {
    const ns = nsOf(np);
    const sel = np.spec?.podSelector ?? {};
    const selected = podsIn(ns).filter((p) => selects(sel, p.labels));
    const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    if (!empty && selected.length === 0) problems.add(np, "spec.podSelector", `${describeSelector(sel)} matches no pod template in namespace ${ns}`);
    for (const [dir, peersKey] of [["ingress", "from"], ["egress", "to"]]) {
      for (const [i, rule] of (np.spec?.[dir] ?? []).entries()) {
        let peerPods = null; // pods in this set that the rule's peers name, when all peers are local
        for (const [j, peer] of (rule[peersKey] ?? []).entries()) {
          const local = !peer.namespaceSelector || selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": ns }) && Object.keys(peer.namespaceSelector.matchLabels ?? {}).length > 0;
          if (!peer.podSelector || !local) continue;
          const m = podsIn(ns).filter((p) => selects(peer.podSelector, p.labels));
          if (m.length === 0) problems.add(np, `spec.${dir}[${i}].${peersKey}[${j}].podSelector`, `${describeSelector(peer.podSelector)} matches no pod template in namespace ${ns}`);
          peerPods = [...(peerPods ?? []), ...m];
        }
        // The port must exist on the pods receiving the connection.
        const receivers = dir === "ingress" ? selected : peerPods;
        if (!receivers || receivers.length === 0) continue;
        for (const [k, p] of (rule.ports ?? []).entries()) {
          if (p.port === undefined || p.endPort) continue;
          if (!receivers.some((pod) => resolvePort(pod, p.port, p.protocol ?? "TCP"))) {
            problems.add(np, `spec.${dir}[${i}].ports[${k}].port`, `${JSON.stringify(p.port)} is not a container port of any pod it applies to (${[...new Set(receivers.map((r) => r.owner.metadata.name))].join(", ")})`);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Driver

async function checkText(text, label) {
  const problems = new Problems(label);
  const docs = YAML.parseAllDocuments(text);
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      problems.add(null, "", `YAML: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== "object" || Array.isArray(obj)) {
      problems.add(null, "", "a document that is not an object");
      continue;
    }
    objects.push(obj);
  }
  const invalid = new Set();
  for (const obj of objects) {
    if (!(await checkSchema(obj, problems))) invalid.add(obj);
    else if (typeof obj.metadata?.name !== "string" || obj.metadata.name === "") {
      problems.add(obj, "metadata.name", "missing");
      invalid.add(obj);
    }
  }
  // An object that does not match its schema has been reported; what the cross-object checks
  // would say about it is most likely a follow-on of the same mistake.
  const add = problems.add.bind(problems);
  problems.add = (obj, field, message) => invalid.has(obj) || add(obj, field, message);
  // Objects too malformed to take part (no kind, name or metadata) have been reported.
  const usable = objects.filter((o) => typeof o.apiVersion === "string" && typeof o.kind === "string" &&
    o.metadata && typeof o.metadata === "object" && typeof o.metadata.name === "string");
  try {
    crossChecks(usable, problems);
  } catch (error) {
    add(null, "", `cross-object checks stopped: ${error.stack ?? error}`);
  }
  return { problems: problems.list, objects: objects.length };
}

async function main(argv) {
  if (argv[0] === "--selftest") {
    const dir = argv[1];
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
    let failed = 0;
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const expect = /^#\s*expect:\s*(.+)$/m.exec(text)?.[1]?.trim();
      const { problems } = await checkText(text, `broken/${f}`);
      if (!expect) {
        console.log(`selftest FAIL ${f}: no "# expect: ..." line`);
        failed++;
      } else if (problems.length !== 1 || !problems[0].includes(expect)) {
        console.log(`selftest FAIL ${f}: expected exactly one problem containing "${expect}", got ${problems.length}:`);
        for (const p of problems) console.log(`  ${p}`);
        failed++;
      } else {
        console.log(`selftest ok   ${f}: rejected: ${problems[0].replace(/^broken\/[^:]+: /, "")}`);
      }
    }
    if (files.length === 0) {
      console.log(`selftest FAIL: no broken manifests in ${dir}`);
      failed++;
    }
    return failed ? 1 : 0;
  }
  let total = 0;
  for (const arg of argv) {
    const eq = arg.indexOf("=");
    const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, arg];
    const { problems, objects } = await checkText(fs.readFileSync(file, "utf8"), label);
    for (const p of problems) console.log(p);
    if (problems.length === 0) console.log(`${label}: ${objects} objects valid`);
    total += problems.length;
  }
  return total ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
