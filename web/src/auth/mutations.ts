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
