/** REST resources of message-service, their request/response records, and nothing else; errors go through the shared problem mapper. */
package org.e2echat.message.api;
