import { parse } from '@rocket.chat/message-parser';

/**
 * What a reader sees once Rocket.Chat's own parser has read some mrkdwn: the
 * text, and the kinds of markup it found. Links read as their label, mentions
 * as `@name`, inline code as its content.
 */
export function readBack(mrkdwn: string): { text: string; markup: string[] } {
    const markup: string[] = [];
    const walk = (node: any): string => {
        if (Array.isArray(node)) return node.map(walk).join('');
        switch (node.type) {
            case 'PLAIN_TEXT':
                return node.value;
            case 'PARAGRAPH':
                return walk(node.value);
            case 'LINE_BREAK':
                return '\n';
            case 'LINK':
                markup.push('LINK');
                return walk(node.value.label);
            case 'MENTION_USER':
                return `@${node.value.value}`;
            case 'EMOJI':
                // A character emoji is text; a :shortcode: is markup.
                if (node.unicode) return node.unicode;
                markup.push('EMOJI');
                return `:${node.shortCode}:`;
            case 'INLINE_CODE':
                markup.push('INLINE_CODE');
                return node.value.value;
            default:
                markup.push(node.type);
                return walk(node.value);
        }
    };
    const blocks = parse(mrkdwn) as unknown[];
    return { text: blocks.map(walk).join('\n'), markup };
}
