import { graphql } from '../graphql/generated';

export const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        email
        name
        role
      }
    }
  }
`);

/** A new token for the session whose httpOnly cookie the request carries. */
export const RefreshSessionMutation = graphql(`
  mutation RefreshSession {
    refreshSession {
      token
      expiresAt
      user {
        id
        email
        name
        role
      }
    }
  }
`);

/** Ends the session whose cookie the request carries; the server removes the cookie. */
export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);
