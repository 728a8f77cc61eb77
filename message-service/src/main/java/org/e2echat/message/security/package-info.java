/** Current-user access and token helpers of message-service. */
package org.e2echat.message.security;
