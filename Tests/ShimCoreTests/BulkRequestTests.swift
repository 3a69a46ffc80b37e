import Foundation
import ShimCore
import Testing

@Suite("Building the bulk request")
struct BulkRequestTests {
    @Test("A mobile call becomes the nested bulk request of the vendor's reference")
    func mobile() throws {
        let request = BulkRequest(issue: Fixtures.mobileIssue, route: Fixtures.mappings.route)
        let bytes = LegacyJSON.encode(request)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"type":"CUSTOMER","bulkAction":"ENROL","promotionDetails":{"programId":469,"promotionId":65777},"identifierName":"mobile","customers":[{"identifierValue":"18767431754","source":"INSTORE"}]}"#
        )
    }

    @Test("externalId is sent as the resolved customer id")
    func externalId() throws {
        var issue = Fixtures.mobileIssue
        issue.identifierName = "externalId"
        issue.identifierMapping = .lookup
        issue.identifierValue = "EXT-1"
        let request = BulkRequest(issue: issue, route: Fixtures.mappings.route, customerId: 552_695_692)
        #expect(request.identifierName == "id")
        #expect(request.customers == [.init(identifierValue: "552695692", source: "INSTORE", accountId: nil)])
    }

    @Test("accountId is sent only when the mappings say so; bulkAction comes from the mappings")
    func mappingSettings() throws {
        var issue = Fixtures.mobileIssue
        issue.accountId = "ACC-1"
        var route = Fixtures.mappings.route
        #expect(BulkRequest(issue: issue, route: route).customers[0].accountId == nil)
        route.forwardAccountId = true
        route.bulkAction = "EARN"
        let request = BulkRequest(issue: issue, route: route)
        #expect(request.customers[0].accountId == "ACC-1")
        #expect(String(decoding: LegacyJSON.encode(request), as: UTF8.self).contains(#""bulkAction":"EARN""#))
    }

    @Test("Caller values with quotes, backslashes and control characters stay inside their JSON string")
    func escaping() throws {
        var issue = Fixtures.mobileIssue
        issue.identifierValue = "a\"b\\c\r\nX-Injected: 1\u{0}"
        let bytes = LegacyJSON.encode(BulkRequest(issue: issue, route: Fixtures.mappings.route))
        let object = try #require(Fixtures.object(bytes))
        let customers = try #require(object["customers"] as? [[String: Any]])
        #expect(customers[0]["identifierValue"] as? String == issue.identifierValue)
        #expect(!bytes.contains(0x0A) && !bytes.contains(0x0D) && !bytes.contains(0x00))
    }

    @Test("The customer lookup asks by externalId with the caller's source and accountId")
    func lookup() {
        var issue = Fixtures.mobileIssue
        issue.identifierName = "externalId"
        issue.identifierValue = "EXT 1&2"
        issue.accountId = "A1"
        #expect(
            QueryString.build(CustomerLookup.query(for: issue))
                == "source=INSTORE&identifierName=externalId&identifierValue=EXT%201%262&accountId=A1"
        )
        #expect(CustomerLookup.customerId(from: Array(#"{"entity": 552695692, "warnings": []}"#.utf8)) == 552_695_692)
        #expect(CustomerLookup.customerId(from: Array(#"{"entity": "552695692"}"#.utf8)) == 552_695_692)
        #expect(CustomerLookup.customerId(from: Array(#"{"entity": null, "errors": [{"code": 8015}]}"#.utf8)) == nil)
        #expect(CustomerLookup.customerId(from: Array("garbage".utf8)) == nil)
    }
}
