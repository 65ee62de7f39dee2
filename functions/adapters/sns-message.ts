/** A notice with a body for each kind of SNS subscriber. */
export interface ProtocolBodies {
  subject: string;
  email: string;
  /** An AWS Chatbot custom notification (JSON). */
  chat: string;
  default: string;
}

/**
 * The publish fields that give each subscriber its own body (`MessageStructure: 'json'`):
 * chat goes under `https`, the protocol AWS Chatbot subscribes with; SQS, Lambda and the rest
 * get `default`.
 */
export function perProtocolMessage(message: ProtocolBodies): {
  Subject: string;
  MessageStructure: 'json';
  Message: string;
} {
  return {
    Subject: message.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: message.default,
      email: message.email,
      https: message.chat,
    }),
  };
}
