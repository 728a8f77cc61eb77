/** Kafka publishers and consumers of session-service, mapping to and from the records in contracts. */
package org.e2echat.session.events;
