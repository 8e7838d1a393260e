/** Each distinct value once; code 0 stands for a missing value. */
export class Dictionary<T> {
    readonly values: Array<T | undefined> = [undefined];
    private readonly codes = new Map<string, number>();

    /** `keep` makes the copy a new value is held as (values are shared: they must not change). */
    constructor(
        private readonly keyOf: (value: T) => string,
        private readonly keep: (value: T) => T = (value) => value,
    ) {}

    code(value: T | undefined): number {
        if (value === undefined) {
            return 0;
        }
        const key = this.keyOf(value);
        let code = this.codes.get(key);
        if (code === undefined) {
            code = this.values.length;
            this.values.push(this.keep(value));
            this.codes.set(key, code);
        }
        return code;
    }

    /** The code of a value already held, or undefined. */
    find(value: T): number | undefined {
        return this.codes.get(this.keyOf(value));
    }
}
