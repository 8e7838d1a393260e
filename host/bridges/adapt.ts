/**
 * From the host's plain bridge classes to what the engine takes: an object of
 * the running engine's own bridge class (the engine checks `instanceof` and
 * wraps our methods in its permission checks), every call counted.
 */
import { InstanceContext, NotImplementedError } from './context';

type BridgeClass<T> = abstract new () => T;

/**
 * An object of the engine's bridge class `Base` (or a plain object for the
 * bridges the engine only knows as interfaces) whose methods are the
 * implementation's public methods (a name starting with `_` is a helper the
 * engine never sees), each call counted as `<label>.<method>`.
 * The engine's `do*` wrappers call these.
 */
export function adapt<T extends object>(Base: BridgeClass<T> | undefined, impl: object, label: string, ctx: InstanceContext): T {
    const bridge = (Base ? new (class extends (Base as unknown as new () => object) {})() : {}) as Record<string, unknown>;
    const methods = impl as Record<string, (...args: unknown[]) => unknown>;
    for (let proto = Object.getPrototypeOf(impl) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
        for (const name of Object.getOwnPropertyNames(proto)) {
            if (name === 'constructor' || name.startsWith('_') || typeof methods[name] !== 'function' || Object.prototype.hasOwnProperty.call(bridge, name))
                continue;
            const key = `${label}.${name}`;
            Object.defineProperty(bridge, name, {
                configurable: true,
                writable: true,
                value: (...args: unknown[]) => {
                    ctx.countCall(key);
                    return methods[name].apply(impl, args);
                },
            });
        }
    }
    return bridge as T;
}

/** A bridge whose every method throws "not implemented" (for capabilities the host does not offer). */
export function notImplementedBridge<T>(name: string, ctx: InstanceContext): T {
    return new Proxy(
        {},
        {
            get(_target, prop) {
                if (prop === 'then' || typeof prop === 'symbol') return undefined;
                return () => {
                    ctx.countCall(`${name}.${String(prop)}`);
                    throw new NotImplementedError(`${name}.${String(prop)}`);
                };
            },
        },
    ) as T;
}
