// The endpoints of the mock upstream, for faults and the request log.

/// The mock's endpoints (paths below the base URL, which ends in `/v1`).
public enum MockEndpoint: String, Sendable, CaseIterable {
    /// `POST /threads`
    case createThread
    /// `POST /threads/{id}/messages`
    case addMessage
    /// `POST /threads/{id}/runs`
    case createRun
    /// `POST /threads/{id}/runs/{run_id}/cancel`
    case cancelRun
    /// `GET /threads/{id}/runs/{run_id}`
    case getRun
    /// `POST /conversations`
    case createConversation
    /// `POST /responses`
    case createResponse
    /// `GET /responses/{id}`
    case getResponse
    /// `POST /threads/runs` (create a thread and run it)
    case createThreadAndRun
    /// `GET /threads/{id}`
    case getThread
    /// `GET /threads/{id}/messages`
    case listMessages
    /// `GET /conversations/{id}`
    case getConversation
}
