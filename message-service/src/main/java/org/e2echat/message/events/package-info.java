/** Kafka publishers and consumers of message-service, mapping to and from the records in contracts. */
package org.e2echat.message.events;
