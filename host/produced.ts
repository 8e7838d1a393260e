/**
 * What the app produced on one instance (messages, notifications, UI
 * interactions, uploads), collected for the requests running there: the
 * reply of `commands.run` and `ui.interaction` lists it.
 */
interface ProducedMessage {
    id: string;
    /** room id */
    room?: string;
    text?: string;
    blocks?: unknown[];
    attachments?: unknown[];
    sender?: string;
    threadId?: string;
    createdAt: string;
}

interface ProducedNotification {
    kind: 'user' | 'room';
    /** username (kind user) or room id (kind room) */
    to?: string;
    /** room id of the notification's message */
    room?: string;
    text?: string;
    blocks?: unknown[];
    sender?: string;
    createdAt: string;
}

interface ProducedUiInteraction {
    type: string;
    user?: string;
    triggerId?: string;
    appId?: string;
    viewId?: string;
    view?: unknown;
    createdAt: string;
    [key: string]: unknown;
}

interface ProducedUpload {
    id: string;
    name: string;
    /** room id */
    room?: string;
    /** uploader's user id */
    userId?: string;
    type?: string;
    size: number;
    /** the file content decoded as UTF-8 */
    content: string;
    createdAt: string;
}

interface Produced {
    messages: ProducedMessage[];
    notifications: ProducedNotification[];
    uiInteractions: ProducedUiInteraction[];
    uploads: ProducedUpload[];
}

function emptyProduced(): Produced {
    return { messages: [], notifications: [], uiInteractions: [], uploads: [] };
}

/** What the app produced on one instance, collected for the requests running there. */
export class ProducedLog {
    private readonly collectors = new Set<Produced>();

    /** Starts collecting everything the app produces until the returned function is called. */
    collect(): () => Produced {
        const bucket = emptyProduced();
        this.collectors.add(bucket);
        return () => {
            this.collectors.delete(bucket);
            return bucket;
        };
    }

    record<K extends keyof Produced>(kind: K, item: Produced[K][number]): void {
        for (const bucket of this.collectors) (bucket[kind] as Array<Produced[K][number]>).push(item);
    }
}
