/**
 * A sample International Patient Summary and the compact JWE joserfc made of it (alg "dir", enc
 * "A256GCM", cty "application/fhir+json": as the API's SMART Health Links files are), under the
 * fixed key below: made once with joserfc, so the viewer's WebCrypto decryption is tested against
 * the server's library, not against itself.
 */
export const sampleKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

export const sampleBundle = {
  "resourceType": "Bundle",
  "id": "ips-sample",
  "type": "document",
  "timestamp": "2026-12-01T15:30:00Z",
  "entry": [
    {
      "fullUrl": "urn:uuid:c1",
      "resource": {
        "resourceType": "Composition",
        "id": "c1",
        "status": "final",
        "type": {
          "coding": [
            {
              "system": "http://loinc.org",
              "code": "60591-5"
            }
          ]
        },
        "subject": {
          "reference": "Patient/p1"
        },
        "date": "2026-12-01T15:30:00Z",
        "author": [
          {
            "reference": "Organization/o1"
          }
        ],
        "title": "Patient Summary",
        "section": []
      }
    },
    {
      "fullUrl": "urn:uuid:p1",
      "resource": {
        "resourceType": "Patient",
        "id": "p1",
        "name": [
          {
            "family": "Stone",
            "given": [
              "Emma"
            ]
          }
        ],
        "birthDate": "2014-12-06"
      }
    },
    {
      "fullUrl": "urn:uuid:o1",
      "resource": {
        "resourceType": "Organization",
        "id": "o1",
        "name": "Albany Medical Center"
      }
    },
    {
      "fullUrl": "urn:uuid:a1",
      "resource": {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "patient": {
          "reference": "Patient/p1"
        },
        "code": {
          "text": "Peanut"
        },
        "reaction": [
          {
            "manifestation": [
              {
                "text": "Hives"
              }
            ]
          }
        ]
      }
    },
    {
      "fullUrl": "urn:uuid:d1",
      "resource": {
        "resourceType": "Condition",
        "id": "d1",
        "subject": {
          "reference": "Patient/p1"
        },
        "code": {
          "coding": [
            {
              "system": "http://snomed.info/sct",
              "code": "195967001",
              "display": "Asthma"
            }
          ]
        },
        "onsetDateTime": "2020-03-01"
      }
    },
    {
      "fullUrl": "urn:uuid:m1",
      "resource": {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "intent": "order",
        "subject": {
          "reference": "Patient/p1"
        },
        "medicationCodeableConcept": {
          "text": "Albuterol inhaler"
        },
        "dosageInstruction": [
          {
            "text": "2 puffs as needed"
          }
        ]
      }
    },
    {
      "fullUrl": "urn:uuid:i1",
      "resource": {
        "resourceType": "Immunization",
        "id": "i1",
        "status": "completed",
        "patient": {
          "reference": "Patient/p1"
        },
        "vaccineCode": {
          "text": "Influenza vaccine"
        },
        "occurrenceDateTime": "2026-10-01"
      }
    },
    {
      "fullUrl": "urn:uuid:r1",
      "resource": {
        "resourceType": "Observation",
        "id": "r1",
        "status": "final",
        "category": [
          {
            "coding": [
              {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory"
              }
            ]
          }
        ],
        "subject": {
          "reference": "Patient/p1"
        },
        "code": {
          "coding": [
            {
              "system": "http://loinc.org",
              "code": "2345-7",
              "display": "Glucose"
            }
          ]
        },
        "valueQuantity": {
          "value": 85,
          "unit": "mg/dL"
        },
        "effectiveDateTime": "2026-11-28T09:00:00-05:00"
      }
    },
    {
      "fullUrl": "urn:uuid:v1",
      "resource": {
        "resourceType": "Observation",
        "id": "v1",
        "status": "final",
        "category": [
          {
            "coding": [
              {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs"
              }
            ]
          }
        ],
        "subject": {
          "reference": "Patient/p1"
        },
        "code": {
          "coding": [
            {
              "system": "http://loinc.org",
              "code": "8867-4",
              "display": "Heart rate"
            }
          ]
        },
        "valueQuantity": {
          "value": 88,
          "unit": "/min"
        },
        "effectiveDateTime": "2026-11-28T09:00:00-05:00"
      }
    }
  ]
} as const;

export const sampleJwe =
  "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vZmhpcitqc29uIn0..JOJKgchONvYIYZsn.D21v79PrRP94T0DOD1MwzyzsuvLQG03vc2kWNtKs37cVkZY0MPzAYUiE4w0HRF62qmPaCJ8z98ZzCvhKjZoUfDOlVb-CNjkNRAsR2fhNaO3ffgt2dN5byhF0MGiZeTndvTz8SpRzS3hAu8dpnjenxZPU0ZtFaEgWWfdgBydQnddlbpReCfLiEtq6MRae5CakN61HPKCPf9qpYbfKId0eTLjp2-MZ1q4bMkX-VYcE3gz7M0u0ksgZ5QLKDi5UnmkK3GYEX4O89pvXTMlFWRyEQQTaCKxF2HiWWlO33bIrK2VqWC0NbzislbcjObCnyA_D4vEJABk2GZ98SWUdBJthSTyK_qoAA3idN0gODrBd1R5cUqd-w5j7Onm1i52wp7HfDcoyNdjZhUrWq4NWxb14NmGuVLext_eG6-llAPgrBeamOEG6yJu4kEml6UJfXltvmcUnFaAHfcISEuJKCZLvLGZPu3z6DtbZGAoYnxgR0KMk_DvbLsBZ8WkPK-Rbr0X3I_NRUwgP1pJlf8t3RCltsHnvTVmRulsNoqYdKLbt5IOLjTLB9L3Qid64icfJ_X6nno1zDLThrLZY0kSFQcbFetkn-Y_ptWWTMuvj-yd146lgSbccVehuUCbt2NC4uBJBRdPTESCvQXt_OA-FEBgUFpXmvMsv4pnns2aYr_uvJceE3VroA1bW2G9c3zEDKBlK1kUWsfGPya16SGmZrKbQUA3h10S-4NV38qHWbtEz-07KU9miT6rv3PqnwR27i4Y7cN59Gn6o1f9byBl8GRb6hmMgvPfIQbM5Un8JsXQy5c-xmFt6fOCVd_hjDN7wTOQ7wC_UCoiuNIQgLxuFtOMXtZ9Rr7Q2evNEyayeXSvBeqQodWUVhEHs4l_acpXKdj35geAp0OoTFJCtyBGCfyHb7loY6u-3p7b3yzXoPAjMTG_rQFTaVdmqspTx2GeVyOOGc9yVrw3Kw8bMBocxAZbRzVnpluZY479y-WajXvK4pATRK_Bl0dlkCe0B1X1cWTE403y7A9MNnkk9SEE_744yYoudq05f9aNIMtV2ZKg0Xy4jbp7noAEm2irNEq_mE5MEi-iClgQARFFokghh7PN3zuEi561pROL5FbyUfNaUzOJTCoDB9Qo9I0AlC1QEXp-w7D3byOyB4Byh9Yghk6h7kiYf0VcvxS13OQrN9sNTkDQigtJ_PjlVjc12YfN0-lWqcFBrqVT0LGf75xlJZmsSBqOjb_9R9X24m49ADftoxVkAvO6GGBxCImXbMGGhXastrcA9eQr9Zsa4OosWg-6Ch51HF0AHynpXDAEmBXE1fFGQqpgXKsHjkC9eMFavnMledFXR0HTEeJNBKtgMeHDJtsV1Pt8cFnVG8Dns85U9oRiOb1L9IlsPCw5caWdW3komrtF-_lxXI-1eslpQT6f27BZBj8ONxrGUPjbxvhPX4QopE4KTYH-ZHIKgKSGnvEkELgpsRLL2uwvm96Q_3BLLRCzsih7JSqOMDB9q0DQD-v6_T76sMds6WJMY7tlSROiIaZ1IuAIttLyHYg_ldUhmafwcurT8BAUqAWBvb86TNqwz7NEWR8edHprcORn6K_zm7GuUVqWWwqqTGo8_SeA4myYiDfghz09ek3zPjW9I3JKcmts95coYkGMLA5A-8GjQLbOSuqOavlSElGdKy9xSe8log6UA5xV9xRroeQl7T1De3NlIXQ_dhGyIvstHiw4QWFg-XUObzTtYpasjuBgLfXza0fVDG8Hy1XLqr4DsnbTdWVRD_eNR9Yd5t8yntcQ2YzMua9B4VWKEc4mUaF0jcy3IXF_dCbn34Ne5ZhgkzhzCvWYnm_7OJ8dFTYOKVsFsNHkGUXRBOjuQHENG50T6efdeicXkPAe2luSwaxnYcK614EOYcVt7OH9wzPXgiLOkZGIUvwB-sOFvwKhVHq1WIgroIRIEmhNnqrRRwpOvrh_xvKcqVv9Uwrz8PFtM9Zw-GLKFB3wkqeMTX1x9cemObwXm0T3JLy6fqFlJYIMsfcv8qfyZvQTA-YQEvd-tPN8zAnof5MxZjGgQvBHylTbIZduqz8qtMf-eSQYn74AUY_nRRgdADL8Cuj91tb3hhTU7B5a4I5cazxCGtx0MS_Sp8z3U0R3VnGh6AYotUCZPO16PiCuAYn_P-_LLot-eLKloYHztiuIWVF9OdOGeGZKMVMFk_YCeCLXOsDk1sP9pT-A0HXc4hdbVFJOmgcmutM61gNXFVCmxOZAcRhljcu2dbFvXG8_8DNPeWwC8ZBI2xUxylFF0i4YNKBNWDwGItQyq58NfZmEa1GbTf6eU5N5dNLlhKeZU-TmiHmnayEXvEduE_a8bzV5PokXixeZiHBvP5vH9HVxLn8Uv7hfGf75l32g54jhv3bPAJBB5rjNKZC0PciAbbwdxQo6YEX5gXuY9p0b2TYbuS2miQtgrQuEUp336DCTdLl5NDoPYQVQ1JOIdWzLxggR4faS-_fQ7RWvhuRMr31CsX5F0SsSMB2mYgFG9sWp4EeFSz_ukGD8d-g1RtNA-qOmAAvoD8v-RtISP-dBGdnseEdRHmew4JvoGydAWPJcM_0w2SrU8nKpb4mmDwInmABGHVIECtZI4iWz9hke6OpTFvpSV3zs96tmYnRbUIDPuI9-i2R9uLQlzzOKVgD7eOcU0kVO4tnaKEcnTGtCJiyxMK_0L5YDzhivMQvQV8PBWifpO9dghG8UxdVabDJxnvcTf2oYn6-Iw5hy0n50ORaEnfiY0pFd0fBXlvjCgNBgQ0OefRhrNx423WN7pQSbhonuMdQmIucYY_tKyKn_O7SOpx9tPfG1ApXouy9R8uOwQmhGsc9HpaU3xUWSoZLXEnw6EvUG5Yphe8L6wbgHqqS1VzpIGnJLUXQ_SAJ516oRmz-2SI-AsDE-sT_EOoyDpvV93GAkC7vL6otdW216FlzXWzR6V2gjYHnSLbrpebLAPIcdb5rY6rHswTrvvzvlo-GzYCYvlZrIRUjOnBwPlT6ALYqWbVqOxrrDfzZouSODTy8Ro5hrzvU-U3TDsry0hLeZdBk2r1oAG6jteSOtps4v5xokddkpHFWLa1ZBOJQxr2dtAUkDxrhv9A5M65nIAQMlOYdjze-9em83OnFn7LIMqwsdiheAl-fs6efd05X-YwLC_PoACLXu1jw6VNA7wlpS-bD2tQ4VD_-oIds7r-ZxXbNuHkMZkF3grojMMWN0HXgL3IyLe6oJ1ngv7kuUtTEmAXZw.DCzVtVjwele450pOdaquRA";
